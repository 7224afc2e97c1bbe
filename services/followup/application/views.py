"""What an authorised reader sees: the follow-up case in the client's words, and the effectiveness figures; and
the work lists. Each read goes through the policy, as commands do."""

from __future__ import annotations

import csv
import io
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from contracts.followup import (
    CaseClosed,
    CaseEndRequestAnswered,
    CaseEndRequested,
    CheckInRecorded,
    OwnCheckInRecorded,
    PlanReviewRequested,
    ReassessmentRecorded,
    registry,
)
from services.followup.application.handlers import CASE, Ports
from services.followup.application.policy import authorize_region, list_scope
from services.followup.application.queries import (
    ListFollowUps,
    ReadClientEffectiveness,
    ReadFollowUp,
    ReadRegionEffectiveness,
)
from services.followup.domain.effectiveness import AREAS, RHO, ClientFigures, RegionFigures, figures_of, region
from services.followup.domain.followup import FollowUp
from shared.infra.aggregate import Loaded
from shared.infra.crypto import Keyring
from shared.infra.pipeline import Application
from shared.kernel.calendar import county_day
from shared.kernel.envelope import EventEnvelope
from shared.kernel.principal import Principal
from shared.kernel.sealed import Sealed

Shown = (CheckInRecorded | ReassessmentRecorded | PlanReviewRequested | CaseClosed | OwnCheckInRecorded
         | CaseEndRequested | CaseEndRequestAnswered)


async def followup(app: Application[Ports], query: ReadFollowUp, principal: Principal) -> tuple[int, dict[str, Any]]:
    """The case's version (its ETag) and what the reader sees of it."""
    loaded = await app.read(CASE, query, principal)
    return loaded.version, await followup_view(loaded, app.keyring)


async def client_effectiveness(app: Application[Ports], query: ReadClientEffectiveness,
                               principal: Principal) -> ClientFigures:
    return figures_of((await app.read(CASE, query, principal)).state)


async def region_effectiveness(app: Application[Ports], query: ReadRegionEffectiveness,
                               principal: Principal) -> RegionFigures:
    authorize_region(principal)
    return region(await app.deps.region_figures())


async def work_list(app: Application[Ports], query: ListFollowUps,
                    principal: Principal) -> tuple[list[dict[str, Any]], int]:
    """One page of the work list and how many rows the whole list has."""
    coordinator = list_scope(principal)
    rows = await app.deps.list_followups(coordinator_id=coordinator, overdue_only=query.overdue, limit=query.limit,
                                         offset=query.offset)
    return rows, await app.deps.count_followups(coordinator_id=coordinator, overdue_only=query.overdue)


async def followup_view(loaded: Loaded[FollowUp], keyring: Keyring) -> dict[str, Any]:
    c = loaded.state
    shown: list[tuple[EventEnvelope, Shown]] = []
    for envelope in loaded.events:
        event = registry.load(envelope.type, envelope.schema_version, envelope.data)
        if isinstance(event, Shown):
            shown.append((envelope, event))
    sealed: list[Sealed | None] = []
    for _, e in shown:
        match e:
            case CheckInRecorded():
                sealed += [e.client_account, e.worker_notes]
            case ReassessmentRecorded():
                sealed.append(e.own_words)
            case PlanReviewRequested():
                sealed.append(e.reason)
            case CaseClosed() | CaseEndRequestAnswered():
                sealed.append(e.note)
            case OwnCheckInRecorded():
                sealed.append(e.account)
            case CaseEndRequested():
                sealed.append(e.reason)
    opened = iter(await keyring.open(str(c.client_id), *sealed))
    check_ins, reassessments, reviews, closure = [], [], [], None
    own: list[dict[str, Any]] = []
    ends: dict[str, dict[str, Any]] = {}
    for envelope, e in shown:
        at = envelope.time.isoformat()
        match e:
            case CheckInRecorded():
                check_ins.append({"at": at, "follow_up_number": e.follow_up_number, "contact_type": e.contact_type,
                                  "client_account": next(opened), "worker_notes": next(opened),
                                  "recorded_by": e.recorded_by})
            case ReassessmentRecorded():
                reassessments.append({"at": at, "assessment_id": str(e.assessment_id), "scores": e.scores.model_dump(),
                                      "own_words": next(opened), "filled_in_by": e.filled_in_by, "form": e.form})
            case PlanReviewRequested():
                reviews.append({"at": at, "review_id": str(e.review_id), "requested_by": e.requested_by,
                                "rule": e.rule, "reason": next(opened), "finding": e.finding})
            case CaseClosed():
                closure = {"at": at, "reason": e.reason, "note": next(opened), "closed_by": e.closed_by}
            case OwnCheckInRecorded():
                own.append({"at": at, "check_in_id": str(e.check_in_id), "account": next(opened), "by": e.by,
                            "recorded_by": envelope.actor.id})
            case CaseEndRequested():
                ends[str(e.request_id)] = {"at": at, "request_id": str(e.request_id), "reason": next(opened),
                                           "by": e.by, "answer": None}
            case CaseEndRequestAnswered():
                ends[str(e.request_id)]["answer"] = {"at": at, "answer": e.answer, "note": next(opened),
                                                     "answered_by": e.answered_by}
    pending = c.pending if c.status == "open" else None
    return {
        "client_id": str(c.client_id),
        "version": loaded.version,
        "status": c.status,
        "coordinator_id": c.coordinator_id,
        "municipality": c.municipality_on(county_day(datetime.now(UTC))),  # in force today (a move noted)
        "municipalities": [{"municipality": m, "from": since.isoformat()} for since, m in c.moves],
        "service_task": c.service_task.value if c.service_task else None,
        "plan": None if c.plan is None else {
            "decision_number": c.plan.decision_number, "decided_at": c.plan.decided_at.isoformat(),
            "period": c.plan.period.model_dump(mode="json"), "amount_cents": c.plan.amount_cents,
            "breakdown": c.plan.breakdown},
        "next_follow_up": None if pending is None else {"number": pending.number, "due_at": pending.due_at.isoformat(),
                                                         "overdue": pending.overdue},
        "follow_ups": [{"number": d.number, "kind": d.kind, "due_at": d.due_at.isoformat(), "done": d.done,
                        "overdue": d.overdue} for d in c.dues],
        "check_ins": check_ins,
        "goals": [{"goal_id": str(goal_id), "weight": g.weight, "baseline_level": g.baseline_level, "level": g.level}
                  for goal_id, g in c.goals.items()],
        "baseline_scores": c.baseline.model_dump() if c.baseline else None,
        "baseline_form": c.baseline_form,
        "reassessments": reassessments,
        "plan_reviews": reviews,
        "plan_review_open": c.review_open,
        "own_check_ins": own,
        "end_requests": list(ends.values()),
        "end_request_open": c.end_request is not None,
        "consent_withdrawn": c.consent_withdrawn,
        "budget_use": {"decided_cents": c.plan.amount_cents if c.plan else 0, "reserved_cents": c.reserved_cents,
                       "spent_cents": c.spent_cents, "used_cents": c.used_cents, "budget_closed": c.budget_closed},
        "closure": closure,
    }


def client_effectiveness_view(f: ClientFigures) -> dict[str, Any]:
    t_score, share = f.t_score, f.used_share
    return {
        "client_id": str(f.client_id),
        "period": f.period,
        "self_assessment": {"baseline": f.baseline, "latest": f.latest, "change": f.change},
        "gas": {"t_score": None if t_score is None else round(t_score, 2), "rho": RHO,
                "goals": [{"goal_id": str(g.goal_id), "weight": g.weight, "baseline_level": g.baseline_level,
                           "level": g.level} for g in f.goals]},
        "budget": {"decided_cents": f.decided_cents, "reserved_cents": f.reserved_cents, "spent_cents": f.spent_cents,
                   "used_cents": f.used_cents, "used_share": None if share is None else round(share, 3),
                   "by_category": [{"category": c, "planned_cents": f.planned_by_category.get(c, 0),
                                    "used_cents": f.used_by_category.get(c, 0)} for c in f.categories()]},
    }


def region_view(r: RegionFigures) -> dict[str, Any]:
    return {"min_group_size": r.min_group_size, "suppressed_groups": r.suppressed_groups,
            "groups": [asdict(g) for g in r.groups]}


CSV_COLUMNS = ["period", "support_category", "clients", "planned_cents", "used_cents", "used_share", "clients_scored",
               "mean_t_score", "clients_reassessed", *(f"mean_change_{a}" for a in AREAS)]


def region_csv(r: RegionFigures) -> str:
    """One row per shown group; suppressed groups are absent (their count travels in a header)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for g in r.groups:
        change = g.mean_change or {}
        writer.writerow([g.period, g.support_category, g.clients, g.planned_cents, g.used_cents,
                         _blank(g.used_share), g.clients_scored, _blank(g.mean_t_score), g.clients_reassessed,
                         *(_blank(change.get(a)) for a in AREAS)])
    return out.getvalue()


def _blank(value: float | None) -> str:
    return "" if value is None else str(value)
