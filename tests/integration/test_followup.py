"""Follow-up against the real broker and database: a decided budget schedules follow-ups; an overdue one
raises exactly one reminder, also when the service restarts around its due time; a plan review and a case
closure reach budgeting; effectiveness figures for a worked example, and no region group under 5 shown."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from contracts.budgeting import BudgetDecided, BudgetOpened, FundsReserved, GasLevels, GoalSet, Period
from contracts.intake import IntakeCompleted, SelfAssessmentScores, ServiceTask
from contracts.marketplace import InvoiceApproved, OrderPlaced
from services.followup.bootstrap import FollowUpSettings, RhythmSetting, create_app
from shared.infra.settings import ServiceSettings
from shared.kernel.envelope import EventEnvelope
from shared.kernel.sealed import Sealed
from tests.conftest import running_service
from tests.journeys import GOAL, MANAGER, OTHER_WORKER, SCORES, WORKER, decided_budget
from tests.support import envelope_of, eventually, publish, read_to_end

pytestmark = pytest.mark.integration

AUDITOR = ("auditor-otso", "auditor")
AUDIT = {"X-Access-Purpose": "audit"}  # an auditor states why they read
FAKE_SEALED = Sealed(kid="x", nonce="bm9uY2U=", ct="Y3Q=")  # follow-up never opens budgeting's sealed text


async def followup_events(service: Any, cid: str) -> list[str]:
    pool: asyncpg.Pool = service.app.state.runtime.pool
    rows = await pool.fetch("SELECT event_type FROM events WHERE stream_id = $1 ORDER BY stream_version",
                            f"followup-{cid}")
    return [r["event_type"].rsplit(".", 1)[1] for r in rows]


async def budgeting_events(budgeting: Any, cid: str) -> list[EventEnvelope]:
    return await budgeting.app.state.budgeting.store.read_subject(cid)  # type: ignore[no-any-return]


async def case_of(followup: Any, tokens: Any, cid: str, until: Any = bool) -> dict[str, Any]:
    """The follow-up case as the coordinating worker sees it, once ``until(case)`` holds."""

    async def seen() -> Any:
        r = await followup.get(f"/followups/{cid}", headers=tokens(*WORKER))
        return r.json() if r.status_code == 200 and until(r.json()) else None

    return await eventually(seen, timeout=30)  # type: ignore[no-any-return]


def has_plan(case: dict[str, Any]) -> bool:
    return case["plan"] is not None


def settled(case: dict[str, Any]) -> bool:
    """The plan is noted and, once mid-period has passed, the rules have had their look at it."""
    if not has_plan(case):
        return False
    period = case["plan"]["period"]
    start, end = datetime.fromisoformat(period["start"]), datetime.fromisoformat(period["end"]) + timedelta(days=1)
    mid = (start + (end - start) / 2).replace(tzinfo=UTC)
    return datetime.now(UTC) < mid or any(r["requested_by"] == "rule" for r in case["plan_reviews"])


# --- scheduling -----------------------------------------------------------------------------------------


async def test_a_decided_budget_schedules_follow_ups_and_a_check_in_schedules_the_next(intake, budgeting, followup,
                                                                                         tokens):
    cid = await decided_budget(intake, budgeting, tokens, 300_000)
    case = await case_of(followup, tokens, cid, has_plan)
    decided_at = datetime.fromisoformat(case["plan"]["decided_at"])
    assert case["plan"]["amount_cents"] == 300_000 and case["baseline_scores"] == SCORES
    [first] = case["follow_ups"]
    assert (first["number"], first["kind"], first["done"], first["overdue"]) == (1, "first_check_in", False, False)
    assert datetime.fromisoformat(first["due_at"]) == decided_at + timedelta(days=14)  # the default rhythm
    pool: asyncpg.Pool = followup.app.state.runtime.pool
    timer = await pool.fetchrow("SELECT due_at, fired_at FROM timers WHERE kind = 'followup-overdue' AND key = $1",
                                f"{cid}:{first['due_at']}")
    assert timer["due_at"] == datetime.fromisoformat(first["due_at"]) and timer["fired_at"] is None

    # the worker's list shows the follow-up due; another worker's list does not; a client has no list
    mine = (await followup.get("/followups", headers=tokens(*WORKER))).json()
    assert [(r["client_id"], r["next_number"], r["overdue"]) for r in mine] == [(cid, 1, False)]
    assert (await followup.get("/followups", headers=tokens(*OTHER_WORKER))).json() == []
    assert (await followup.get("/followups", headers=tokens(*MANAGER))).status_code == 200
    assert (await followup.get("/followups", headers=tokens(cid, "client"))).status_code == 403

    w = tokens(*WORKER)
    r = await followup.post(f"/followups/{cid}/check-ins", headers=w, json={
        "contact_type": "home_visit", "client_account": "Siivousapu on helpottanut arkea",
        "worker_notes": "Perhe jaksaa paremmin"})
    assert r.status_code == 200, r.text
    assert [e["type"].rsplit(".", 1)[1] for e in r.json()["events"]] == ["CheckInRecorded", "FollowUpScheduled"]
    case = (await followup.get(f"/followups/{cid}", headers=tokens(cid, "client"))).json()
    assert case["check_ins"][0] | {"at": None} == {
        "at": None, "follow_up_number": 1, "contact_type": "home_visit",
        "client_account": "Siivousapu on helpottanut arkea", "worker_notes": "Perhe jaksaa paremmin",
        "recorded_by": WORKER[0]}
    assert [(f["number"], f["done"]) for f in case["follow_ups"]] == [(1, True), (2, False)]
    assert await pool.fetchval("SELECT count(*) FROM timers WHERE kind = 'followup-overdue' AND key LIKE $1",
                               f"{cid}:%") == 2


async def test_http_rules_401_404_403_409_422_and_nothing_written_on_rejection(intake, budgeting, followup, tokens):
    cid = await decided_budget(intake, budgeting, tokens, 100_000)
    await case_of(followup, tokens, cid, settled)
    before = await followup_events(followup, cid)
    body = {"contact_type": "phone", "client_account": "Ihan hyvin", "worker_notes": "Soitto"}
    assert (await followup.get(f"/followups/{cid}")).status_code == 401
    assert (await followup.post(f"/followups/{cid}/check-ins", json=body)).status_code == 401
    assert (await followup.get(f"/followups/{uuid4()}", headers=tokens(*WORKER))).status_code == 404
    assert (await followup.get(f"/effectiveness/clients/{uuid4()}", headers=tokens(*MANAGER))).status_code == 404
    for who in (OTHER_WORKER, ("p-1", "provider"), (str(uuid4()), "client")):
        assert (await followup.get(f"/followups/{cid}", headers=tokens(*who))).status_code == 403, who
    for who in (OTHER_WORKER, (cid, "client"), MANAGER, AUDITOR):
        r = await followup.post(f"/followups/{cid}/check-ins", headers=tokens(*who) | AUDIT, json=body)
        assert r.status_code == 403, who
    w = tokens(*WORKER)
    assert (await followup.post(f"/followups/{cid}/check-ins", headers=w,
                                json=body | {"contact_type": "pigeon"})).status_code == 422
    r = await followup.post(f"/followups/{cid}/goal-attainments", headers=w, json={"goal_id": str(uuid4()), "level": 1})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "goal_id"
    assert (await followup.post(f"/followups/{cid}/goal-attainments", headers=w,
                                json={"goal_id": str(uuid4()), "level": 3})).status_code == 422
    r = await followup.post(f"/followups/{cid}/check-ins", headers=w | {"If-Match": '"1"'}, json=body)
    assert r.status_code == 409 and r.json()["code"] == "conflict"
    assert (await followup.post(f"/followups/{cid}/closure", headers=tokens(cid, "client"),
                                json={"reason": "client_request"})).status_code == 403
    assert await followup_events(followup, cid) == before


# --- the overdue reminder: exactly once, across restarts ------------------------------------------------


def synthetic(event: Any, cid: UUID, service: str, version: int = 1) -> EventEnvelope:
    return envelope_of(event, subject=str(cid), source=f"/avain/{service}", stream_version=version,  # type: ignore[no-any-return]
                       actor_role="worker")


def completed(cid: UUID, municipality: str = "Pori") -> IntakeCompleted:
    return IntakeCompleted(client_id=cid, coordinator_id=WORKER[0], service_task=ServiceTask.WORKING_AGE_ADULTS,
                           municipality=municipality, preferred_language="fi",
                           baseline_scores=SelfAssessmentScores(**SCORES))


def decision(cid: UUID, breakdown: dict[str, int], period: Period | None = None) -> BudgetDecided:
    today = datetime.now(UTC).date()
    return BudgetDecided(client_id=cid, decision_number=f"HB-T-{cid.hex[:6]}", proposal_id=uuid4(),
                         amount_cents=sum(breakdown.values()), breakdown=breakdown, decided_by=WORKER[0],
                         period=period or Period(start=today, end=today + timedelta(days=365)),
                         reasoning=FAKE_SEALED, legal_basis="laki", appeal_instructions="oikaisuvaatimus")


async def test_an_overdue_follow_up_raises_exactly_one_reminder_across_restarts(settings: ServiceSettings, tokens):
    intake_topic = f"{settings.topic_prefix}avain.intake.events.v1"
    budgeting_topic = f"{settings.topic_prefix}avain.budgeting.events.v1"
    # The first check-in falls due seconds after the decision (days as decimals), and the service must stop before
    # that. Hearing the decision and stopping take longer on a loaded machine: when the due time came first, that
    # client is left aside (its reminder fired while the service ran) and the next one gets more time.
    set_aside: list[UUID] = []
    for seconds in (6, 20, 60, 180):
        fast = FollowUpSettings(**settings.model_dump(), rhythms={
            "default": RhythmSetting(first_check_in_days=seconds / 86_400, check_in_every_days=30)})
        cid = uuid4()
        async with running_service(create_app, fast, "followup") as followup:
            for earlier in set_aside:  # its reminder fired (now at the latest): nothing of it is left to fire later
                await eventually(lambda e=earlier: _count(followup, str(e), "FollowUpOverdue", 1), timeout=30)
            await followup.app.state.runtime.keyring.create(str(cid))  # as intake does at registration
            await publish(intake_topic, [synthetic(completed(cid), cid, "intake")])
            await case_of(followup, tokens, str(cid))  # consuming: the decision is heard at once from now on
            await publish(budgeting_topic, [synthetic(decision(cid, {"coaching": 90_000}), cid, "budgeting")])
            case = await case_of(followup, tokens, str(cid), has_plan)
            due_at = datetime.fromisoformat(case["follow_ups"][0]["due_at"])
        stopped_at = datetime.now(UTC)
        if stopped_at < due_at:
            break
        set_aside.append(cid)
    assert stopped_at < due_at, "stopped before the due time"

    # While the service is down the due time passes, and nothing can fire.
    await eventually(lambda: datetime.now(UTC) > due_at, timeout=seconds)

    async with running_service(create_app, fast, "followup") as followup:
        await eventually(lambda: _count(followup, str(cid), "FollowUpOverdue", 1), timeout=30)
        assert await followup.app.state.runtime.timers.fire_due() == 0  # nothing more is due
    async with running_service(create_app, fast, "followup") as followup:  # restarted just after the reminder
        assert await followup.app.state.runtime.timers.fire_due() == 0
        assert (await followup_events(followup, str(cid))).count("FollowUpOverdue") == 1
        pool: asyncpg.Pool = followup.app.state.runtime.pool
        fired = await pool.fetch("SELECT fired_at FROM timers WHERE kind = 'followup-overdue' AND key LIKE $1",
                                 f"{cid}:%")
        assert len(fired) == 1 and fired[0]["fired_at"] is not None
        case = await case_of(followup, tokens, str(cid))
        assert case["next_follow_up"] == {"number": 1, "due_at": due_at.isoformat(), "overdue": True}
        overdue = (await followup.get("/followups?overdue=true", headers=tokens(*WORKER))).json()
        assert sorted(r["client_id"] for r in overdue) == sorted(str(c) for c in (cid, *set_aside))

    async def published() -> Any:  # the case opened, the plan noted, the follow-up scheduled, the reminder
        records = await read_to_end(f"{settings.topic_prefix}avain.followup.events.v1")
        mine = [r for r in records if r.key == str(cid).encode()]
        return mine if len(mine) >= 4 else None

    records = await eventually(published, timeout=30)
    reminders = [r for r in records if dict(r.headers)["ce_type"].endswith(b"FollowUpOverdue")]
    assert len(reminders) == 1 and reminders[0].key == str(cid).encode()
    assert EventEnvelope.from_kafka(reminders[0].headers, reminders[0].value).data["coordinator_id"] == WORKER[0]


async def _count(service: Any, cid: str, name: str, at_least: int) -> bool:
    return (await followup_events(service, cid)).count(name) >= at_least


# --- plan review and closure reach budgeting ------------------------------------------------------------


async def test_a_plan_review_reaches_budgeting(intake, budgeting, followup, tokens):
    cid = await decided_budget(intake, budgeting, tokens, 120_000)
    await case_of(followup, tokens, cid, has_plan)
    me = tokens(cid, "client")
    r = await followup.post(f"/followups/{cid}/plan-review", headers=me, json={"reason": "Haluan vaihtaa palvelua"})
    assert r.status_code == 200, r.text

    def reviews(by: str) -> Any:
        async def found() -> list[EventEnvelope]:
            return [e for e in await budgeting_events(budgeting, cid)
                    if e.type.endswith("PlanReviewOpened") and e.data["requested_by"] == by]
        return found

    [opened] = await eventually(reviews("client"), timeout=30)
    assert opened.actor.role == "system" and opened.causation_id is not None
    (reason,) = await budgeting.app.state.budgeting.keyring.open(cid, Sealed(**opened.data["reason"]))
    assert reason == "Haluan vaihtaa palvelua"  # sealed under the client's key, readable where it is needed
    assert (await budgeting.get(f"/budgets/{cid}", headers=me)).json()["review_requested"] is True
    advice = (await budgeting.get(f"/budgets/{cid}/advice", headers=tokens(*WORKER))).json()
    assert "plan_review_requested" in {x["flag"] for x in advice["risks"]}

    # The journey's period (2026) is past its middle with nothing used: the rule asked too, once.
    [by_rule] = await eventually(reviews("rule"), timeout=30)
    assert by_rule.data["rule"] == "low_use_at_mid_period" and "0% of the budget" in by_rule.data["finding"]
    case = (await followup.get(f"/followups/{cid}", headers=me)).json()
    assert sorted((x["requested_by"], x["reason"]) for x in case["plan_reviews"]) == [
        ("client", "Haluan vaihtaa palvelua"), ("rule", None)]


async def test_closing_the_case_closes_its_budget(intake, budgeting, followup, tokens):
    cid = await decided_budget(intake, budgeting, tokens, 80_000)
    await case_of(followup, tokens, cid, has_plan)
    w = tokens(*WORKER)
    assert (await followup.post(f"/followups/{cid}/closure", headers=w, json={"reason": "bored"})).status_code == 422
    r = await followup.post(f"/followups/{cid}/closure", headers=w,
                            json={"reason": "goals_achieved", "note": "Tavoitteet saavutettu"})
    assert r.status_code == 200, r.text

    async def budget_closed() -> Any:
        budget = (await budgeting.get(f"/budgets/{cid}", headers=w)).json()
        return budget if budget["status"] == "closed" else None

    await eventually(budget_closed, timeout=30)
    closed = [e for e in await budgeting_events(budgeting, cid) if e.type.endswith("BudgetClosed")]
    assert [e.data["reason"] for e in closed] == ["case_closed"]
    case = await case_of(followup, tokens, cid, lambda c: c["budget_use"]["budget_closed"])  # heard back
    assert case["status"] == "closed" and case["next_follow_up"] is None
    assert case["closure"] | {"at": None} == {"at": None, "reason": "goals_achieved", "note": "Tavoitteet saavutettu",
                                              "closed_by": WORKER[0]}
    again = await followup.post(f"/followups/{cid}/closure", headers=w, json={"reason": "other"})
    assert again.status_code == 409 and again.json()["code"] == "case-closed"  # its own code, its words in the catalogue


# --- effectiveness --------------------------------------------------------------------------------------


def order(cid: str, amount: int, category: str) -> OrderPlaced:
    return OrderPlaced(client_id=UUID(cid), order_id=uuid4(), provider_id=uuid4(), offering_id=uuid4(),
                       category=category, quantity=1, unit_price_cents=amount, amount_cents=amount)


async def test_effectiveness_of_a_worked_example(intake, budgeting, followup, tokens, settings):
    cid = await decided_budget(intake, budgeting, tokens, 200_000, breakdown={"cleaning": 150_000, "coaching": 50_000})
    w, me = tokens(*WORKER), tokens(cid, "client")
    for weight in (2, 1):  # beside the goal of weight 1 the decided plan rests on
        assert (await budgeting.post(f"/budgets/{cid}/goals", headers=w, json=GOAL | {"weight": weight})).status_code == 200
    goals = (await budgeting.get(f"/budgets/{cid}", headers=w)).json()["goals"]
    assert [g["weight"] for g in goals] == [1, 2, 1]
    # Orders through budgeting: cleaning 600 € reserved and invoiced at 500 €, coaching 200 € reserved.
    cleaning, coaching = order(cid, 60_000, "cleaning"), order(cid, 20_000, "coaching")
    invoice = InvoiceApproved(client_id=UUID(cid), order_id=cleaning.order_id, invoice_id=uuid4(), amount_cents=50_000)
    market = f"{settings.topic_prefix}avain.marketplace.events.v1"
    await publish(market, [envelope_of(e, subject=cid, source="/avain/marketplace") for e in (cleaning, coaching)])
    await publish(market, [envelope_of(invoice, subject=cid, source="/avain/marketplace")])
    await case_of(followup, tokens, cid, lambda c: len(c["goals"]) == 3 and c["budget_use"]["used_cents"] == 70_000)

    # GAS: weights 2, 1, 1 at levels +1, +2, 0 → T = 50 + 10·4 / √(0.7·6 + 0.3·16) = 50 + 40/3 = 63.33
    for goal, level in zip(goals, (2, 1, 0), strict=True):  # weight 2 at +1, the weight-1 goals at +2 and 0
        r = await followup.post(f"/followups/{cid}/goal-attainments", headers=w,
                                json={"goal_id": goal["goal_id"], "level": level})
        assert r.status_code == 200, r.text
    later = SCORES | {"mental_wellbeing": 6, "social_participation": 5, "everyday_life": 3}
    r = await followup.post(f"/followups/{cid}/reassessments", headers=me,
                            json={"scores": later, "own_words": "Jaksan paremmin"})
    assert r.status_code == 200, r.text

    figures = (await followup.get(f"/effectiveness/clients/{cid}", headers=me)).json()
    assert figures["self_assessment"]["change"] == {"general_ability": 0, "mental_wellbeing": 2,
                                                    "social_participation": 2, "physical_functioning": 0,
                                                    "competence": 0, "everyday_life": -1}
    assert figures["gas"]["t_score"] == 63.33 and figures["gas"]["rho"] == 0.3
    assert figures["budget"] | {"by_category": None} == {
        "decided_cents": 200_000, "reserved_cents": 20_000, "spent_cents": 50_000, "used_cents": 70_000,
        "used_share": 0.35, "by_category": None}
    assert figures["budget"]["by_category"] == [
        {"category": "cleaning", "planned_cents": 150_000, "used_cents": 50_000},
        {"category": "coaching", "planned_cents": 50_000, "used_cents": 20_000}]
    assert figures["period"] == f"{datetime.now(UTC).year}-Q{(datetime.now(UTC).month - 1) // 3 + 1}"
    for who in (WORKER, MANAGER, AUDITOR):
        assert (await followup.get(f"/effectiveness/clients/{cid}", headers=tokens(*who) | AUDIT)).json() == figures
    for who in (OTHER_WORKER, ("p-1", "provider"), (str(uuid4()), "client")):
        assert (await followup.get(f"/effectiveness/clients/{cid}", headers=tokens(*who))).status_code == 403
    # the re-assessment in the client's own words, sealed and opened for the reader
    case = (await followup.get(f"/followups/{cid}", headers=me)).json()
    assert case["reassessments"][0]["own_words"] == "Jaksan paremmin"
    assert case["reassessments"][0]["filled_in_by"] == "client"


async def through_budgeting(settings: ServiceSettings, followup: Any, breakdown: dict[str, int], reserved: int = 0
                            ) -> tuple[str, UUID]:
    """A client as intake and budgeting publish them: completed, budget opened with one goal, decided."""
    cid, goal_id = uuid4(), uuid4()
    await followup.app.state.runtime.keyring.create(str(cid))  # as intake does at registration
    levels = GasLevels(much_less_than_expected=FAKE_SEALED, less_than_expected=FAKE_SEALED, expected=FAKE_SEALED,
                       more_than_expected=FAKE_SEALED, much_more_than_expected=FAKE_SEALED)
    budget = [
        BudgetOpened(client_id=cid, coordinator_id=WORKER[0], service_task=ServiceTask.WORKING_AGE_ADULTS,
                     municipality="Pori", intake_event_id=uuid4()),
        GoalSet(client_id=cid, goal_id=goal_id, title=FAKE_SEALED, levels=levels, baseline_level=-1, weight=1),
        decision(cid, breakdown),
    ]
    if reserved:
        category = next(iter(breakdown))
        budget.append(FundsReserved(client_id=cid, order_id=uuid4(), amount_cents=reserved, category=category,
                                    remaining_cents=sum(breakdown.values()) - reserved))
    await publish(f"{settings.topic_prefix}avain.intake.events.v1", [synthetic(completed(cid), cid, "intake")])
    await publish(f"{settings.topic_prefix}avain.budgeting.events.v1",
                  [synthetic(e, cid, "budgeting", i) for i, e in enumerate(budget, start=1)])
    return str(cid), goal_id


async def test_region_figures_by_period_and_category_never_show_a_group_under_5(followup, tokens, settings):
    # Five clients with cleaning (T = 50 + 10·level for one goal of weight 1; every area up by `change`),
    # and two with coaching only: a group of two, never shown.
    worked = [(1, 2, 25_000), (1, 1, 25_000), (0, 0, 0), (0, 1, 0), (-1, 1, 0)]
    cleaning = [(*await through_budgeting(settings, followup, {"cleaning": 100_000}, reserved), level, change)
                for level, change, reserved in worked]
    coaching = [await through_budgeting(settings, followup, {"coaching": 40_000}) for _ in range(2)]
    w = tokens(*WORKER)
    for cid, goal_id, level, change in cleaning:
        await case_of(followup, tokens, cid, lambda c: has_plan(c) and c["goals"])
        assert (await followup.post(f"/followups/{cid}/goal-attainments", headers=w,
                                    json={"goal_id": str(goal_id), "level": level})).status_code == 200
        scores = {k: v + change for k, v in SCORES.items()}
        assert (await followup.post(f"/followups/{cid}/reassessments", headers=w,
                                    json={"scores": scores})).status_code == 200
    for cid, _ in coaching:
        await case_of(followup, tokens, cid, has_plan)
    await case_of(followup, tokens, cleaning[0][0], lambda c: c["budget_use"]["reserved_cents"] == 25_000)
    await case_of(followup, tokens, cleaning[1][0], lambda c: c["budget_use"]["reserved_cents"] == 25_000)

    now = datetime.now(UTC)
    period = f"{now.year}-Q{(now.month - 1) // 3 + 1}"
    m = tokens(*MANAGER)
    region = (await followup.get("/effectiveness/region", headers=m)).json()
    assert region["suppressed_groups"] == 1 and region["min_group_size"] == 5
    assert region["groups"] == [{
        "period": period, "support_category": "cleaning", "clients": 5, "planned_cents": 500_000,
        "used_cents": 50_000, "used_share": 0.1, "clients_scored": 5, "mean_t_score": 52.0,  # (60+60+50+50+40)/5
        "clients_reassessed": 5, "mean_change": dict.fromkeys(SCORES, 1.0)}]  # (2+1+0+1+1)/5
    assert "coaching" not in str(region)

    as_csv = await followup.get("/effectiveness/region.csv", headers=tokens(*AUDITOR) | AUDIT)
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv")
    assert as_csv.headers["X-Suppressed-Groups"] == "1"
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert len(rows) == 1 and rows[0]["support_category"] == "cleaning" and rows[0]["mean_t_score"] == "52.0"
    assert rows[0]["mean_change_everyday_life"] == "1.0" and rows[0]["clients"] == "5"
    assert (await followup.get("/effectiveness/region?format=csv", headers=m)).text == as_csv.text
    # The region's planner reads the same figures (no purpose asked: nobody's data), and nothing about a client.
    planner = tokens("planner-pia", "planner")
    assert (await followup.get("/effectiveness/region", headers=planner)).json() == region
    for path in ("/followups", f"/followups/{cleaning[0][0]}"):
        assert (await followup.get(path, headers=planner)).status_code == 403
    written = await followup.post(f"/followups/{cleaning[0][0]}/check-ins", headers=planner, json={"note": "x"})
    assert written.status_code == 403 and written.json()["code"] == "read-only-role"
    for who in (WORKER, (cleaning[0][0], "client"), ("p-1", "provider")):
        assert (await followup.get("/effectiveness/region", headers=tokens(*who))).status_code == 403
    assert (await followup.get("/effectiveness/region.csv")).status_code == 401

