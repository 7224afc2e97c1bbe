"""`./avain up` from a private folder: it starts, logs no error on a clean start, and its API docs render offline."""

from __future__ import annotations

import json
import os
import stat

import httpx
import pytest

from tests.support import DOC_PAGES, deadline, foreign_references, page_references
from tests.tour.conftest import SERVICES, LocalStack, log_level

pytestmark = pytest.mark.tour


def test_up_works_from_a_folder_only_its_owner_can_enter(local_stack: LocalStack) -> None:
    assert stat.S_IMODE(local_stack.home.stat().st_mode) == 0o700
    assert all(f"{s} ready" in local_stack.up_output for s in SERVICES), local_stack.up_output
    cluster = local_stack.checkout / ".data" / f"postgres-{local_stack.ports['postgres']}"
    if os.geteuid() == 0:  # the server runs as postgres: its cluster lives outside the private folder
        assert cluster.is_symlink()
        target = cluster.resolve()
        assert not target.is_relative_to(local_stack.home), target
        assert stat.S_IMODE(target.stat().st_mode) == 0o700 and target.owner() == "postgres"
    status = local_stack.avain("status")
    assert status.returncode == 0
    assert "running (data in" in status.stderr and "not running" not in status.stderr, status.stderr


def test_a_clean_start_logs_no_error_line(local_stack: LocalStack) -> None:
    """An error line pages someone: a normal start (a fresh broker still electing its group coordinator) has none."""
    for service, lines in local_stack.startup_logs.items():
        assert lines, f"{service} logged nothing"
        errors = [line for line in lines if log_level(line) in ("error", "critical", "exception")]
        assert not errors, f"{service}: {errors[:3]}"
    started = [json.loads(line) for line in local_stack.startup_logs["intake"] if log_level(line)]
    assert started, "the service logs are JSON lines"


@pytest.mark.parametrize("service", SERVICES)
def test_the_api_docs_render_with_nothing_from_another_origin(local_stack: LocalStack, service: str) -> None:
    with httpx.Client(base_url=local_stack.url(service), timeout=deadline(30)) as http:
        for page in DOC_PAGES:
            answer = http.get(page)
            assert answer.status_code == 200, (service, page)
            assert not foreign_references(answer.text), (service, page, foreign_references(answer.text))
            for url in page_references(answer.text):
                loaded = http.get(url)
                assert loaded.status_code == 200 and loaded.content, (service, page, url)
