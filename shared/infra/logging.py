"""structlog JSON logging: one JSON object per line, the correlation id on every line, no personal data.

Personal data never reaches a log call by design (handlers log ids and event types only); the scrubber
below is a second line of defence that drops any field whose name suggests personal data.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from aiokafka.errors import KafkaError

PERSONAL_FIELDS = frozenset(
    {"hetu", "ssn", "name", "first_name", "last_name", "email", "phone", "address", "contact",
     "personal_data", "body", "comment", "words", "wishes", "notes", "password", "token"}
)


def _scrub(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        if key.lower() in PERSONAL_FIELDS:
            event_dict[key] = "[redacted]"
    return event_dict


class TransientBrokerStates(logging.Filter):
    """aiokafka logs at error what it then retries by itself: no group coordinator yet while a fresh broker
    elects one (GroupCoordinatorNotAvailableError at every first start), a coordinator that moved, a node
    not reachable while a broker restarts, a topic not created yet (a service subscribes to another's
    topic, which that service creates when it starts). Those are states the client rides out, not faults a
    person must act on, so they go out as warnings; an error aiokafka does not retry stays an error. (An
    outage that lasts shows on /ready as 503.)"""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR and record.name.startswith("aiokafka") and (
                _retried(record.args) or record.msg == TOPIC_NOT_FOUND):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


TOPIC_NOT_FOUND = "Topic %s not found in cluster metadata"  # aiokafka.cluster: the metadata is asked again


def _retried(args: object) -> bool:
    """An error (or error class) among the log call's arguments that aiokafka marks retriable."""
    values = args.values() if isinstance(args, dict) else args if isinstance(args, tuple) else ()
    for value in values:
        error = type(value) if isinstance(value, KafkaError) else value
        if isinstance(error, type) and issubclass(error, KafkaError) and getattr(error, "retriable", False):
            return True
    return False


def configure_logging(service: str, level: str = "INFO") -> None:
    """JSON lines on stdout for our loggers and for the libraries' (uvicorn, aiokafka) alike."""
    shared_processors: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _scrub,
        lambda _logger, _name, event: {"service": service, **event},
    ]
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared_processors,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, structlog.processors.JSONRenderer()],
    ))
    handler.addFilter(TransientBrokerStates())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # Library loggers at warnings: their messages can carry arguments we do not control.
    for noisy in ("aiokafka", "kafka", "faststream", "uvicorn.access", "asyncio", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    structlog.configure(
        processors=[*shared_processors, structlog.processors.format_exc_info, structlog.processors.JSONRenderer()],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(sys.stdout),
        cache_logger_on_first_use=False,
    )


def bind_correlation(correlation_id: str) -> None:
    structlog.contextvars.bind_contextvars(correlation_id=correlation_id)


def unbind_correlation() -> None:
    structlog.contextvars.unbind_contextvars("correlation_id")
