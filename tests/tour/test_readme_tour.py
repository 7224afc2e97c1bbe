"""The README tour, run as written against a stack that `./avain up` started (tests/tour/readme.py says how)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest

from tests.support import deadline
from tests.tour import readme
from tests.tour.conftest import ROOT, LocalStack

pytestmark = pytest.mark.tour


@pytest.fixture(scope="module")
def tour(local_stack: LocalStack, tmp_path_factory: pytest.TempPathFactory) -> readme.TourRun:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.run(text, cwd=local_stack.checkout, env=local_stack.env, work=tmp_path_factory.mktemp("tour"))


@pytest.fixture(scope="module")
def auditor(local_stack: LocalStack, tour: readme.TourRun) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {tour.variables['TOKEN_OTSO']}", "X-Access-Purpose": "audit"}
    with httpx.Client(base_url=local_stack.url("history"), headers=headers, timeout=deadline(30)) as http:
        yield http


def test_the_tour_runs_end_to_end(tour: readme.TourRun) -> None:
    assert tour.returncode == 0, tour.report()
    assert tour.calls, "the tour made no HTTP call"
    unexpected = [c for c in tour.calls if c[2] != "2xx" and c[1] != c[2]]
    assert not unexpected, unexpected


def test_every_answer_is_on_its_own_line(tour: readme.TourRun) -> None:
    """An answer without a newline runs into the next one (and, typed by hand, into the prompt)."""
    for line in tour.stdout.splitlines():
        if line.startswith(("{", "[")):
            json.loads(line)  # two answers on one line do not parse


def test_the_refusals_the_tour_shows_are_the_ones_it_announces(tour: readme.TourRun) -> None:
    shown = {(status, expected) for _, status, expected, _ in tour.calls if expected != "2xx"}
    assert shown == {("403", "403"), ("409", "409")}, shown


def test_the_as_of_instant_shows_the_case_just_before_the_decision(tour: readme.TourRun, auditor: httpx.Client) -> None:
    before = tour.variables["BEFORE"]
    assert datetime.fromisoformat(before).microsecond or "." in before, "the instant needs sub-second precision"
    then = auditor.get(f"/history/clients/{tour.variables['CID']}", params={"as_of": before})
    assert then.status_code == 200, then.text
    types = [e["type"] for e in then.json()["timeline"]]
    assert "BudgetProposed" in types, "the proposal was made before the instant"
    assert not {"ApprovalRequested", "BudgetApprovalRequested", "BudgetDecided"} & set(types), types
    assert then.json()["state"]["budget"]["status"] == "draft"


def test_the_client_acts_with_their_own_token(tour: readme.TourRun, auditor: httpx.Client) -> None:
    timeline = auditor.get(f"/history/clients/{tour.variables['CID']}").json()["timeline"]
    actors = {e["type"]: e["actor"] for e in timeline}
    client = {"id": tour.variables["CID"], "role": "client", "name": None}  # staff have names; a client's stays sealed
    for event in ("ClientWishRecorded", "OrderPlaced", "InvoiceApproved", "ReassessmentRecorded", "PlanReviewRequested"):
        assert actors.get(event) == client, (event, actors.get(event))


def test_the_plan_review_is_answered_before_the_case_closes(tour: readme.TourRun, local_stack: LocalStack) -> None:
    worker = {"Authorization": f"Bearer {tour.variables['TOKEN_AINO']}"}
    budget = httpx.get(f"{local_stack.url('budgeting')}/budgets/{tour.variables['CID']}", headers=worker,
                       timeout=deadline(30)).json()
    assert budget["status"] == "closed"
    assert budget["review_requested"] is False
