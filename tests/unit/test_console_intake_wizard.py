"""The intake wizard's questions, read as typed: every way a hetu can be wrong is said in words in every language,
a required answer, a choice among the options and a text's length are checked before anything is sent, and the
wizard goes on from the first step intake has no answer to."""

from __future__ import annotations

import pytest

from services.console import intake_wizard as w
from shared.i18n import catalogue
from shared.kernel.identifiers import HETU_CHECK_CHARS

TEXTS = catalogue()


def hetu(birth: str, individual: str, sign: str = "-") -> str:
    return f"{birth}{sign}{individual}{HETU_CHECK_CHARS[int(birth + individual) % 31]}"


def form(**values: str | list[str]) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in values.items()}


@pytest.mark.parametrize(("typed", "key"), [
    (hetu("150690", "953"), None),
    (hetu("150690", "953")[:-1], "intake.hetu.length"),
    ("15069a-953F", "intake.hetu.date_digits"),
    (hetu("150690", "953", "a"), "intake.hetu.uppercase"),
    (hetu("150690", "953", "Q"), "intake.hetu.century"),
    ("150690-9x3F", "intake.hetu.individual"),
    ("150690-953G", "intake.hetu.check_char"),
    (hetu("310290", "953"), "intake.hetu.date"),
    (hetu("150690", "001"), "intake.hetu.reserved"),
    ("150690-953A", "intake.hetu.mismatch"),
])
def test_a_hetu_is_checked_as_typed_and_each_failure_has_its_own_words(typed: str, key: str | None) -> None:
    assert w.hetu_error(typed) == key


def test_every_reason_a_hetu_fails_is_in_every_language() -> None:
    keys = {*w.HETU_REASONS.values(), "intake.hetu.invalid"}
    missing = [(lang, k) for lang in TEXTS.codes for k in keys if not TEXTS.has("console", k, lang)]
    assert missing == []


def test_every_question_field_and_error_has_its_words_in_every_language() -> None:
    questions = [*w.REGISTRATION, *w.CASE.values(), w.DECLINE]
    keys = {f"intake.q.{q.step}" for q in questions} | {f"intake.q.{q.step}.lead" for q in questions if q.lead}
    for q in questions:
        for f in q.fields:
            keys |= {f"intake.field.{f.name}"} | ({f"intake.field.{f.name}.hint"} if f.hint else set())
            keys |= {f"intake.error.{f.name}.missing"} if f.required else set()
    keys |= {f"intake.error.{a}.missing" for a in w.AREAS} | {f"intake.face.{n}" for n in w.CHILD_SCALE}
    keys |= {f"intake.option.support_needs.{n}" for n in w.SUPPORT_NEEDS}
    keys |= {f"intake.option.given_by.{g}" for g in w.GIVERS}
    missing = [(lang, k) for lang in TEXTS.codes for k in sorted(keys) if not TEXTS.has("console", k, lang)]
    assert missing == []


def test_the_registration_asks_the_hetu_and_says_why_it_is_wrong() -> None:
    question = w.REGISTRATION[0]
    assert w.read(question, form(hetu=" " + hetu("150690", "953") + " ")).values == {"hetu": hetu("150690", "953")}
    assert [e[:2] for e in w.read(question, form(hetu="")).errors] == [("hetu", "intake.error.hetu.missing")]
    assert [e[:2] for e in w.read(question, form(hetu="150690-953A")).errors] == [("hetu", "intake.hetu.mismatch")]


def test_optional_contact_details_may_be_left_out_but_an_email_must_look_like_one() -> None:
    contact = next(q for q in w.REGISTRATION if q.step == "contact")
    assert w.read(contact, {}).ok
    assert [e[1] for e in w.read(contact, form(email="aino.example.fi")).errors] == ["intake.error.email.shape"]
    assert w.read(contact, form(email="aino@example.fi", phone="+358 40 1", address="Katu 1")).ok


def test_a_choice_must_be_one_of_the_options_offered() -> None:
    consent = w.CASE["consent"]
    assert w.read(consent, form(given_by="guardian")).ok
    assert [e[1] for e in w.read(consent, form(given_by="neighbour")).errors] == ["intake.error.given_by.missing"]
    coordinator = w.CASE["coordinator"]
    assert w.read(coordinator, form(worker_id="worker-aino"), {"worker_id": ("worker-aino",)}).ok
    assert not w.read(coordinator, form(worker_id="someone"), {"worker_id": ("worker-aino",)}).ok


def test_a_child_under_15_answers_on_five_faces_and_an_adult_on_0_to_10() -> None:
    everything = {a: "4" for a in w.AREAS}
    assert w.read(w.scores_question("child"), form(**everything)).ok
    assert w.read(w.scores_question("adult"), form(**{**everything, "competence": "10"})).ok
    wrong = w.read(w.scores_question("child"), form(**{**everything, "competence": "0"}))
    assert [e[:2] for e in wrong.errors] == [("competence", "intake.error.competence.missing")]
    assert w.scores_of(everything) == {a: 4 for a in w.AREAS}


def test_needs_need_at_least_one_area_and_a_summary_and_a_text_has_its_limit() -> None:
    needs = w.CASE["needs"]
    answer = w.read(needs, form(support_needs=["recreation", "not-offered"], summary="Tarvitsee virkistystä"))
    assert answer.ok and answer.values["support_needs"] == ["recreation"]
    assert [e[1] for e in w.read(needs, form(summary="x")).errors] == ["intake.error.support_needs.missing"]
    too_long = w.read(w.DECLINE, form(reason="x" * 4001))
    assert too_long.errors == [("reason", "intake.error.too_long", {"max": 4000})]


def test_the_wizard_goes_on_from_the_first_step_without_an_answer() -> None:
    case = {"consent": "none", "coordinator_id": None, "self_assessment": None, "needs_assessment": None}
    assert w.next_case_step(case) == "consent"
    assert w.next_case_step({**case, "consent": "given"}) == "coordinator"
    assert w.next_case_step({**case, "consent": "given", "coordinator_id": "worker-aino"}) == "scores"
    done = {"consent": "given", "coordinator_id": "w", "self_assessment": {"scores": {}}, "needs_assessment": {}}
    assert w.next_case_step({**done, "needs_assessment": None}) == "task"
    assert w.next_case_step(done) == "check"
