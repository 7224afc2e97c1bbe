"""The follow-up forms' own reading: a check-in needs how it was had, the client's account, the worker's notes and a
GAS level for every goal of the plan; a re-assessment every area on the scale of the form the client was first
assessed on; closing the case a reason. Each mistake is named beside its field in every language before anything
is sent."""

from __future__ import annotations

from uuid import uuid4

import pytest

from services.console.followup import CheckInForm, ClosureForm, ReassessmentForm, own_text
from services.console.views import AREAS
from services.followup.domain import followup as f
from shared.i18n import catalogue
from shared.kernel.errors import RuleViolation
from shared.kernel.sealed import Sealed

GOAL_A, GOAL_B = "11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222"


def check_in(**typed: str) -> CheckInForm:
    fields = {"contact_type": "meeting", "client_account": "  Menee paremmin  ", "worker_notes": "Sovittiin uusi aika"}
    fields |= {k: v for k, v in typed.items() if not k.startswith("level")}
    levels = {GOAL_A: "expected", GOAL_B: "less_than_expected"} | {
        k.removeprefix("level_"): v for k, v in typed.items() if k.startswith("level_")}
    return CheckInForm.read(fields["contact_type"], fields["client_account"], fields["worker_notes"], levels,
                            [GOAL_A, GOAL_B])


def test_a_check_in_becomes_follow_ups_body_and_one_score_per_goal() -> None:
    form = check_in()
    assert form.errors == []
    assert form.body() == {"contact_type": "meeting", "client_account": "Menee paremmin",
                           "worker_notes": "Sovittiin uusi aika"}
    assert form.attainments() == [{"goal_id": GOAL_A, "level": 0}, {"goal_id": GOAL_B, "level": -1}]


@pytest.mark.parametrize(("typed", "field", "key"), [
    ({"contact_type": "pigeon"}, "contact-meeting", "fu.error.contact_missing"),
    ({"client_account": " "}, "client_account", "fu.error.account_missing"),
    ({"worker_notes": ""}, "worker_notes", "fu.error.notes_missing"),
    ({"worker_notes": "x" * 8001}, "worker_notes", "fu.error.too_long"),
    ({f"level_{GOAL_B}": ""}, f"goal-{GOAL_B}-much_less_than_expected", "fu.error.level_missing"),
    ({f"level_{GOAL_B}": "+3"}, f"goal-{GOAL_B}-much_less_than_expected", "fu.error.level_missing"),
])
def test_each_mistake_in_a_check_in_is_named_beside_its_field(typed: dict[str, str], field: str, key: str) -> None:
    assert check_in(**typed).errors == [(field, key)]


def test_a_reassessment_takes_every_area_on_the_baselines_scale() -> None:
    adult = ReassessmentForm.read({a: "7" for a in AREAS}, " Jaksan ", "adult")
    assert adult.errors == []
    assert adult.body() == {"scores": dict.fromkeys(AREAS, 7), "own_words": "Jaksan", "form": "adult"}
    child = ReassessmentForm.read({a: "7" for a in AREAS}, "", "child")  # the children's faces are 1–5
    assert child.errors == [(f"area-{a}", "fu.error.score_missing") for a in AREAS]
    missing = ReassessmentForm.read({a: "3" for a in AREAS[1:]}, "", "adult")
    assert missing.errors == [(f"area-{AREAS[0]}", "fu.error.score_missing")]
    assert ReassessmentForm.read({a: "1" for a in AREAS}, "", "child").body()["own_words"] is None


def test_closing_needs_a_reason_of_the_list_and_the_clients_words_need_text() -> None:
    assert ClosureForm.read("goals_achieved", "").body() == {"reason": "goals_achieved", "note": None}
    assert ClosureForm.read("moved_away", "").errors == [("reason-goals_achieved", "fu.error.reason_missing")]
    assert own_text("  ", "own-text", required=True) == ("", [("own-text", "fu.error.own_missing")])
    assert own_text("", "end-reason", required=False) == ("", [])


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_mistake_has_words_in_every_language(lang: str) -> None:
    t = catalogue().translator("console", lang)
    keys = {"fu.error.too_long", "fu.error.contact_missing", "fu.error.account_missing", "fu.error.notes_missing",
            "fu.error.level_missing", "fu.error.score_missing", "fu.error.reason_missing", "fu.error.own_missing"}
    assert all(t.has(k) for k in keys)


def test_follow_ups_refusals_carry_codes_the_console_shows_in_words() -> None:
    """A closed case, a review still open, a request to end already waiting: each its own code, with words in
    every language in follow-up's catalogue (the console shows them by code, never the English sentence)."""
    cid = uuid4()
    closed = f.FollowUp(client_id=cid, status="closed")
    reviewing = f.FollowUp(client_id=cid, status="open", review_open=True, end_request=uuid4())
    refused = []
    for command, case in ((f.RecordOwnCheckIn(check_in_id=uuid4(), account=Sealed(kid="k", nonce="n", ct="x"),
                                              by="client"), closed),
                          (f.CloseCase(reason="other", closed_by="worker-aino"), reviewing),
                          (f.RequestCaseEnd(request_id=uuid4(), by="client"), reviewing)):
        with pytest.raises(RuleViolation) as caught:
            f.decide(command, case)
        refused.append(caught.value.code)
    assert refused == ["case-closed", "plan-review-open", "end-request-waiting"]
    for lang in ("fi", "sv", "en"):
        t = catalogue().translator("followup", lang)
        assert all(t.has(f"problem.{code}.title") and t.has(f"problem.{code}.detail") for code in refused)
