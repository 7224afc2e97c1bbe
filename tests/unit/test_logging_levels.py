"""An error line means something a person must act on: what aiokafka retries by itself is a warning."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
import structlog
from aiokafka.errors import (
    GroupAuthorizationFailedError,
    GroupCoordinatorNotAvailableError,
    LeaderNotAvailableError,
    NodeNotReadyError,
)

from shared.infra.logging import configure_logging


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """configure_logging changes the process's logging: undone after the test."""
    root = logging.getLogger()
    saved = root.handlers[:], root.level, {n: logging.getLogger(n).level for n in ("aiokafka", "kafka", "faststream")}
    try:
        yield
    finally:
        root.handlers[:], root.level = saved[0], saved[1]
        for name, level in saved[2].items():
            logging.getLogger(name).setLevel(level)
        structlog.reset_defaults()


def levels(out: str) -> list[tuple[str, str]]:
    return [(e["level"], e["event"]) for e in map(json.loads, out.splitlines())]


@pytest.mark.usefixtures("restored_logging")
def test_a_coordinator_not_elected_yet_is_a_warning_and_a_refusal_stays_an_error(
        capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("test", "INFO")  # as a service process does, writing to the captured stdout
    coordinator = logging.getLogger("aiokafka.consumer.group_coordinator")
    coordinator.error("Group Coordinator Request failed: %s", GroupCoordinatorNotAvailableError())
    logging.getLogger("aiokafka.consumer.group_coordinator").error(
        "Error sending %s to node %s [%s] -- marking coordinator dead", "HeartbeatRequest", 1, NodeNotReadyError())
    cluster = logging.getLogger("aiokafka.cluster")
    cluster.error("Topic %s not found in cluster metadata", "avain.history.events.v1")  # history creates it later
    cluster.error("Error fetching metadata for topic %s: %s", "t", LeaderNotAvailableError)
    coordinator.error("Group Coordinator Request failed: %s", GroupAuthorizationFailedError())  # not retried
    cluster.error("Topic %s is not authorized for this client", "t")
    logging.getLogger("shared.infra.consumer").error("ours stay as they are: %s", NodeNotReadyError())
    assert [level for level, _ in levels(capsys.readouterr().out)] == ["warning"] * 4 + ["error"] * 3
