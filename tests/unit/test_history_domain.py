"""The case history's pure parts: the hash-chain check, the derived state, as-of, retention."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

from services.history.domain.case import as_of, derive_state, is_case_event, verify_chains
from services.history.domain.retention import DEFAULT_YEARS, past_retention, retention_ends
from shared.kernel.envelope import Actor, EventEnvelope

CID = str(uuid4())
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def chain(source: str, *events: tuple[str, dict[str, object]], stream: str = "s-1") -> list[EventEnvelope]:
    out: list[EventEnvelope] = []
    prev: str | None = None
    for n, (kind, data) in enumerate(events, start=1):
        e = EventEnvelope(id=uuid4(), source=source, type=f"fi.avain.x.{kind}", schema_version=1,
                          time=T0 + timedelta(minutes=n), subject=CID, stream_id=stream, stream_version=n,
                          correlation_id="c", actor=Actor(id="w-1", role="worker"),
                          data={"client_id": CID, **data}, prev_hash=prev).sealed()
        prev = e.hash
        out.append(e)
    return out


BUDGET = chain("/avain/budgeting", ("BudgetOpened", {}), ("BudgetDecided", {"decision_number": "HB-1", "amount_cents": 50_000}),
               ("FundsReserved", {"order_id": "o1", "amount_cents": 20_000}),
               ("FundsReserved", {"order_id": "o2", "amount_cents": 10_000}),
               ("SpendingRecorded", {"order_id": "o1", "amount_cents": 15_000}),
               ("FundsReleased", {"order_id": "o1", "amount_cents": 5_000, "reason": "invoice_below_reservation"}),
               ("FundsReleased", {"order_id": "o2", "amount_cents": 10_000, "reason": "order_cancelled"}))


def positioned(events: list[EventEnvelope]) -> list[tuple[str, EventEnvelope]]:
    return [(f"t:0:{i}", e) for i, e in enumerate(events)]


def test_an_intact_log_verifies_and_redelivered_records_are_not_breaks() -> None:
    assert verify_chains(positioned(BUDGET + BUDGET[2:4])) == []


def test_an_altered_event_is_found_at_its_position() -> None:
    altered = BUDGET[2].model_copy(update={"data": {**BUDGET[2].data, "amount_cents": 99_999}})
    [broken] = verify_chains(positioned([*BUDGET[:2], altered, *BUDGET[3:]]))
    assert broken.position == "t:0:2" and broken.stream_version == 3 and "altered" in broken.problem


def test_a_missing_event_and_a_forged_link_are_found() -> None:
    [missing] = verify_chains(positioned([*BUDGET[:2], *BUDGET[3:]]))
    assert missing.position == "t:0:2" and "missing" in missing.problem
    forged = BUDGET[1].model_copy(update={"prev_hash": "0" * 64}).sealed()  # re-hashed, but not linked
    link, after = verify_chains(positioned([BUDGET[0], forged, *BUDGET[2:]]))  # the next one no longer links
    assert after.position == "t:0:2"
    assert link.position == "t:0:1" and "previous hash" in link.problem


def test_derived_budget_figures_follow_the_money() -> None:
    budget = derive_state(BUDGET)["budget"]
    assert budget == {"status": "decided", "frozen": False, "decision_number": "HB-1", "decided_cents": 50_000,
                      "reserved_cents": 0, "spent_cents": 15_000}
    assert derive_state(BUDGET[:4])["budget"]["reserved_cents"] == 30_000


def test_as_of_an_instant_leaves_out_what_came_after() -> None:
    before_decision = BUDGET[1].time - timedelta(seconds=1)
    state = derive_state(as_of(BUDGET, before_decision))
    assert state["budget"]["status"] == "draft" and state["budget"]["decided_cents"] == 0


def test_catalogue_events_and_reads_are_not_case_events() -> None:
    read = BUDGET[0].model_copy(update={"type": "fi.avain.access.DataAccessed"})
    catalogue = BUDGET[0].model_copy(update={"data": {"provider_id": "p"}})
    assert is_case_event(BUDGET[0]) and not is_case_event(read) and not is_case_event(catalogue)


def test_retention_runs_from_closing_by_service_task() -> None:
    assert retention_ends(date(2020, 5, 4), "working_age_adults", DEFAULT_YEARS) == date(2030, 5, 4)
    assert retention_ends(date(2020, 2, 29), "families_with_children", DEFAULT_YEARS) == date(2050, 2, 28)
    assert retention_ends(date(2020, 1, 1), None, DEFAULT_YEARS) == date(2050, 1, 1)  # unknown: the longest
    assert past_retention(date(2010, 1, 1), "disability_services", DEFAULT_YEARS, date(2020, 1, 1))
    assert not past_retention(date(2010, 1, 2), "disability_services", DEFAULT_YEARS, date(2020, 1, 1))
    assert not past_retention(None, "disability_services", DEFAULT_YEARS, date(2099, 1, 1))  # open cases stay


def test_a_purchase_is_said_in_words_and_its_status_kept_beside_the_orders() -> None:
    from datetime import UTC, datetime
    from uuid import uuid4

    from services.history.domain.case import derive_state, in_words
    from shared.i18n import catalogue
    from shared.kernel.envelope import Actor, EventEnvelope

    cid, pid = uuid4(), uuid4()

    def at(version: int, kind: str, **data: object) -> EventEnvelope:
        return EventEnvelope(id=uuid4(), source="/avain/marketplace", type=f"fi.avain.marketplace.{kind}",
                             schema_version=1, time=datetime(2026, 5, 4, 9, tzinfo=UTC), subject=str(cid),
                             stream_id=f"purchase-{pid}", stream_version=version, correlation_id="c",
                             actor=Actor(id="w", role="worker"),
                             data={"client_id": str(cid), "purchase_id": str(pid), **data})

    requested = at(1, "PurchaseRequested", vendor_name="Lastentarvike Oy", amount_cents=119_000,
                   description={"kid": str(cid), "nonce": "n", "ct": "c"})
    money = catalogue().translator("history", "fi").money

    def said(opened: dict[str, str]) -> str | None:
        words = in_words(requested, money, opened)
        return None if words is None else " ".join(words.replace("\u202f", " ").replace("\xa0", " ").split())

    assert said({"description": "Lastenrattaat"}) == "Lastenrattaat, Lastentarvike Oy, 1 190,00 €"
    assert said({}) == "Lastentarvike Oy, 1 190,00 €"  # the item's words stay sealed
    assert said({"description": "[erased]"}) == "Lastentarvike Oy, 1 190,00 €"
    held, confirmed = at(2, "PurchaseFundsReserved", amount_cents=119_000), at(3, "PurchaseConfirmed")
    assert derive_state([requested])["purchases"] == {str(pid): "awaiting_funds"}
    assert derive_state([requested, held])["purchases"] == {str(pid): "awaiting_approval"}
    assert derive_state([confirmed, held, requested])["purchases"] == {str(pid): "confirmed"}
    refused = at(3, "PurchaseCancelled", reason="approval_refused")  # a manager did not approve it
    assert derive_state([requested, held, refused])["purchases"] == {str(pid): "refused"}
    cancelled = at(3, "PurchaseCancelled", reason="cancelled_by_client")
    assert derive_state([requested, held, cancelled])["purchases"] == {str(pid): "cancelled"}
    assert derive_state([requested, held, confirmed])["orders"] == {}


def test_the_replay_says_a_purchase_in_words_as_the_live_view_does_without_the_clients_key() -> None:
    # The live timeline says every entry in words (or None); the replay's must be the same list, entry for entry.
    from services.history.entrypoints.replay import view
    from shared.i18n import catalogue

    cid = uuid4()
    [requested] = chain("/avain/marketplace", ("PurchaseRequested", {
        "purchase_id": str(uuid4()), "vendor_name": "Lastentarvike Oy", "amount_cents": 119_000,
        "description": {"kid": str(cid), "nonce": "n", "ct": "c"}}))
    requested = requested.model_copy(update={"type": "fi.avain.marketplace.PurchaseRequested"})
    [opened, other] = view(cid, [requested, *BUDGET[:1]], None)["timeline"]
    said = " ".join(str(opened["said"]).replace("\u202f", " ").replace("\xa0", " ").split())
    assert said == "Lastentarvike Oy, 1 190,00 €" and other["said"] is None
    assert catalogue().translator("history", "fi").money(119_000) in opened["said"]


def test_an_agreements_claims_draw_its_reservation_down_and_the_plan_shows_who_supports_and_what_is_paid() -> None:
    money = chain("/avain/budgeting", ("BudgetDecided", {"decision_number": "HB-1", "amount_cents": 300_000}),
                  ("FundsReserved", {"order_id": "a1", "amount_cents": 80_000, "matter": "agreement"}),
                  ("SpendingRecorded", {"order_id": "a1", "amount_cents": 45_000, "matter": "agreement"}),
                  ("SpendingRecorded", {"order_id": "a1", "amount_cents": 3_500, "matter": "agreement"}))
    support = chain("/avain/marketplace", ("SupportPersonRecorded", {"person_id": "p1"}),
                    ("SupportAgreementMade", {"agreement_id": "a1", "person_id": "p1"}),
                    ("AgreementActivated", {"agreement_id": "a1", "person_id": "p1"}),
                    ("SupportClaimFiled", {"agreement_id": "a1", "claim_id": "k1"}),
                    ("SupportClaimApproved", {"agreement_id": "a1", "claim_id": "k1"}),
                    ("SupportClaimPaymentScheduled", {"agreement_id": "a1", "claim_id": "k1", "person_id": "p1"}),
                    ("SupportPersonConsentWithdrawn", {"person_id": "p1"}), stream="s-2")
    state = derive_state(money + support)
    assert (state["budget"]["reserved_cents"], state["budget"]["spent_cents"]) == (31_500, 48_500)
    assert state["agreements"] == {"a1": {"status": "active", "claims": {"k1": "payment_scheduled"}}}
    assert state["support_persons"] == {"p1": "withdrawn"}  # the payment stays in the record
