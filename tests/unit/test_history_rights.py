"""The data subject's rights as the law allows: may_erase rule by rule, and the rights stream's decisions."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from contracts.history import (
    ClientErased,
    EntryCorrected,
    ErasureApproved,
    ErasureRefused,
    ErasureRequested,
    LegalHoldPlaced,
    ProcessingRestricted,
)
from services.history.domain import rights
from services.history.domain.retention import DEFAULT_YEARS
from shared.kernel.errors import InvalidCommand, NotFound, RuleViolation
from shared.kernel.sealed import Sealed

TODAY = date(2026, 11, 30)
CLOSED_LONG_AGO = rights.CaseFacts(closed_on=date(1990, 3, 1), service_task="families_with_children",
                                   decided_on=(date(1989, 5, 2),))
CID = uuid4()


def codes(refusals: tuple[rights.Refusal, ...]) -> set[str]:
    return {r.code for r in refusals}


def may(case: rights.CaseFacts = CLOSED_LONG_AGO, state: rights.Rights = rights.INITIAL,
        ground: str | None = "retention_period_ended", **kw: object) -> set[str]:
    return codes(rights.may_erase(case, state, ground, TODAY, DEFAULT_YEARS,
                                  requested_by=str(kw.get("by", "manager-helmi")),
                                  approved_by=kw.get("approved_by")))  # type: ignore[arg-type]


def test_a_closed_case_past_its_retention_period_may_be_asked_and_approved_by_a_second_person() -> None:
    assert may() == set()
    assert may(approved_by="manager-ilkka") == set()


def test_refused_without_a_coded_ground() -> None:
    assert may(ground=None) == {"no_legal_ground"}
    assert may(ground="other_legal_basis") == {"no_legal_ground"}


def test_one_person_alone_is_refused() -> None:
    assert may(approved_by="manager-helmi") == {"same_person"}


def test_the_retention_period_must_have_ended_for_that_ground_and_the_reason_says_when() -> None:
    recent = rights.CaseFacts(closed_on=date(2020, 1, 15), service_task="families_with_children")
    [refusal] = rights.may_erase(recent, rights.INITIAL, "retention_period_ended", TODAY, DEFAULT_YEARS,
                                 requested_by="m")
    assert refusal.code == "retention_not_ended" and "2050-01-15" in refusal.reason
    assert may(rights.CaseFacts(closed_on=None)) == {"retention_not_ended"}
    # Other grounds do not wait for the retention period (an order, unlawful processing)...
    assert may(rights.CaseFacts(closed_on=None), ground="order_of_court_or_authority") == set()


def test_refused_while_a_rectification_or_appeal_period_is_open() -> None:
    decided = rights.CaseFacts(closed_on=None, decided_on=(date(2026, 11, 28),))
    assert may(decided, ground="processing_unlawful") == {"rectification_period_open"}
    # 7 days to be deemed received, 30 for the request: 2026-10-20 + 37 = 2026-11-26 (a Thursday), over.
    assert may(rights.CaseFacts(decided_on=(date(2026, 10, 20),)), ground="processing_unlawful") == set()
    # A period ending on a Saturday runs to Monday.
    assert rights.rectification_period_ends(date(2026, 10, 29)) == date(2026, 12, 7)  # 5.12. is a Saturday


@pytest.mark.parametrize(("kind", "code"), [("court_appeal", "legal_hold"), ("complaint", "legal_hold"),
                                            ("claim", "legal_hold"), ("rectification_request", "request_pending"),
                                            ("data_subject_request", "request_pending")])
def test_refused_under_a_legal_hold_or_while_a_request_is_pending(kind: str, code: str) -> None:
    held = rights.Rights(holds={uuid4(): kind})
    assert may(state=held) == {code}
    assert may(state=held, approved_by="manager-ilkka") == {code}  # also at approval: a hold placed meanwhile


def test_refused_for_documents_designated_for_permanent_archiving() -> None:
    assert may(state=rights.Rights(permanent_archiving=True)) == {"permanent_archiving"}


def test_refused_when_restriction_was_asked_instead_of_erasure_but_not_for_other_restrictions() -> None:
    assert may(state=rights.Rights(restriction=rights.Restriction("unlawful_erasure_opposed", "audit"))) == {
        "restricted_instead"}
    assert may(state=rights.Rights(restriction=rights.Restriction("accuracy_contested", "audit"))) == set()


def test_a_second_request_waits_for_the_first_and_an_erased_case_is_not_erased_twice() -> None:
    pending = rights.Rights(pending=rights.ErasureRequest(uuid4(), "retention_period_ended", "manager-helmi"))
    assert may(state=pending) == {"request_pending"}
    assert may(state=rights.Rights(erased=True)) == {"already_erased"}


def test_every_reason_is_given_at_once() -> None:
    state = rights.Rights(holds={uuid4(): "complaint"}, permanent_archiving=True)
    assert may(rights.CaseFacts(closed_on=None), state, "retention_period_ended", approved_by="manager-helmi") == {
        "retention_not_ended", "legal_hold", "permanent_archiving", "same_person"}


# --- the rights stream -------------------------------------------------------------------------------------------


def fold(events: list[object]) -> rights.Rights:
    state = rights.INITIAL
    for e in events:
        state = rights.evolve(state, e)  # type: ignore[arg-type]
    return state


def request(ground: str | None = "retention_period_ended", by: str = "manager-helmi",
            case: rights.CaseFacts = CLOSED_LONG_AGO) -> rights.RequestErasure:
    return rights.RequestErasure(CID, uuid4(), ground, "Dnro 12/2026", by, case, TODAY, DEFAULT_YEARS)


def approve(request_id: object, by: str = "manager-ilkka") -> rights.ApproveErasure:
    return rights.ApproveErasure(CID, request_id, by, CLOSED_LONG_AGO, TODAY, DEFAULT_YEARS)  # type: ignore[arg-type]


def test_a_refused_request_is_recorded_with_its_reasons() -> None:
    [refused] = rights.decide(request(ground=None), rights.INITIAL)
    assert isinstance(refused, ErasureRefused) and refused.stage == "request"
    assert [r.code for r in refused.reasons] == ["no_legal_ground"]


def test_asked_by_one_approved_by_another_erases_once() -> None:
    [asked] = rights.decide(request(), rights.INITIAL)
    assert isinstance(asked, ErasureRequested) and asked.requested_by == "manager-helmi"
    state = fold([asked])
    [refused] = rights.decide(approve(asked.request_id, by="manager-helmi"), state)
    assert isinstance(refused, ErasureRefused) and [r.code for r in refused.reasons] == ["same_person"]
    approved, erased = rights.decide(approve(asked.request_id), state)
    assert isinstance(approved, ErasureApproved) and isinstance(erased, ClientErased)
    assert erased.basis == "retention_period_ended"
    done = fold([asked, approved, erased])
    assert done.erased and done.pending is None
    with pytest.raises(NotFound):
        rights.decide(approve(asked.request_id), done)


def test_a_hold_placed_after_the_request_stops_the_approval() -> None:
    [asked] = rights.decide(request(), rights.INITIAL)
    [hold] = rights.decide(rights.PlaceHold(CID, uuid4(), "court_appeal", "HAO 123/2026"), fold([asked]))
    assert isinstance(hold, LegalHoldPlaced)
    [refused] = rights.decide(approve(asked.request_id), fold([asked, hold]))
    assert isinstance(refused, ErasureRefused) and refused.stage == "approval"
    assert [r.code for r in refused.reasons] == ["legal_hold"]


def test_restriction_is_a_state_of_its_own_and_lifts() -> None:
    [restricted] = rights.decide(rights.RestrictProcessing(CID, "accuracy_contested", "audit", "Dnro 1/2026"),
                                 rights.INITIAL)
    assert isinstance(restricted, ProcessingRestricted)
    state = fold([restricted])
    assert state.restriction == rights.Restriction("accuracy_contested", "audit")
    with pytest.raises(RuleViolation):
        rights.decide(rights.RestrictProcessing(CID, "objection_pending", "care", "x"), state)
    [lifted] = rights.decide(rights.LiftRestriction(CID), state)
    assert fold([restricted, lifted]).restriction is None


def test_a_correction_is_a_new_entry_of_an_existing_one() -> None:
    sealed = Sealed(kid=str(CID), nonce="bm9uY2U=", ct="Y3Q=")
    entry = uuid4()
    [corrected] = rights.decide(rights.CorrectEntry(CID, entry, True, "inaccurate", sealed, None), rights.INITIAL)
    assert isinstance(corrected, EntryCorrected) and corrected.entry_event_id == entry
    assert fold([corrected]).corrected == {entry}
    with pytest.raises(InvalidCommand):
        rights.decide(rights.CorrectEntry(CID, uuid4(), False, "inaccurate", sealed, None), rights.INITIAL)
    with pytest.raises(RuleViolation):
        rights.decide(rights.CorrectEntry(CID, entry, True, "inaccurate", sealed, None), rights.Rights(erased=True))
