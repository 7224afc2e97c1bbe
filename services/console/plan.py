"""What the plan builder's pages need beyond budgeting's answers: reading each form as a person fills it in (a goal
with its five GAS levels, a support tied to goals, a proposal in euros by category, the decision's reasoning) into
the body the API takes, with each mistake named beside its field before anything is sent; and the facts of the
decision letter's preview in the decision's language.

The console decides nothing: budgeting checks every command again (a plan without goals, a proposal on categories
without support, a decision without a proposal, an amount above the worker's delegated authority) and its refusal
is shown in words from the catalogue."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from services.console.provider import cents_of
from shared.i18n import Translator, catalogue
from shared.infra import tables
from shared.kernel.law import LegalBasis

# The Goal Attainment Scaling levels −2 … +2, as budgeting names them, lowest first.
LEVELS = ("much_less_than_expected", "less_than_expected", "expected", "more_than_expected", "much_more_than_expected")
LEVEL_VALUES = dict(zip(LEVELS, (-2, -1, 0, 1, 2), strict=True))
CATEGORIES = ("cleaning", "home_help", "personal_assistance", "coaching", "therapy", "day_activity", "recreation",
              "transport", "equipment")
PROVIDER_TYPES = ("public", "firm", "ngo", "informal", "material")
TITLE_MAX, TEXT_MAX = 400, 4000  # budgeting's GoalBody.title and its texts
MAX_CENTS = 100_000_000
Errors = list[tuple[str, str]]  # (the field's id, the catalogue key of the mistake)


@dataclass
class GoalForm:
    title: str
    levels: dict[str, str]
    baseline_level: int | None
    errors: Errors = field(default_factory=list)

    @classmethod
    def read(cls, title: str, levels: dict[str, str], baseline: str) -> GoalForm:
        """The goal in the client's words and what each of the five levels would look like to them: every text is
        needed (a GAS goal is scored against them), and the level the client is at now."""
        form = cls(title.strip(), {n: levels.get(n, "").strip() for n in LEVELS}, None)
        if not form.title:
            form.errors.append(("title", "pb.goal.title_missing"))
        elif len(form.title) > TITLE_MAX:
            form.errors.append(("title", "pb.goal.title_too_long"))
        for name in LEVELS:
            if not form.levels[name]:
                form.errors.append((f"level-{name}", f"pb.goal.level_missing.{name}"))
            elif len(form.levels[name]) > TEXT_MAX:
                form.errors.append((f"level-{name}", "pb.text_too_long"))
        form.baseline_level = int(baseline) if baseline in ("-2", "-1", "0", "1", "2") else None
        if form.baseline_level is None:
            form.errors.append(("baseline-" + LEVELS[0], "pb.goal.baseline_missing"))
        return form

    def body(self) -> dict[str, Any]:
        return {"title": self.title, "levels": self.levels, "baseline_level": self.baseline_level}


@dataclass
class SupportForm:
    description: str
    category: str
    provider_type: str
    estimate_cents: int | None
    goal_ids: list[str]
    errors: Errors = field(default_factory=list)

    @classmethod
    def read(cls, description: str, category: str, provider_type: str, estimate: str, goal_ids: list[str],
             known_goals: set[str]) -> SupportForm:
        """A support of the plan: what, of which kind, from whom, at what estimated cost, and the goals it serves
        (at least one: budgeting decides no money on a support that serves no goal)."""
        form = cls(description.strip(), category, provider_type, cents_of(estimate),
                   [g for g in dict.fromkeys(goal_ids) if g in known_goals])
        if not form.description:
            form.errors.append(("description", "pb.support.description_missing"))
        elif len(form.description) > TEXT_MAX:
            form.errors.append(("description", "pb.text_too_long"))
        if category not in CATEGORIES:
            form.errors.append(("category", "pb.support.category_missing"))
        if provider_type not in PROVIDER_TYPES:
            form.errors.append(("provider-" + PROVIDER_TYPES[0], "pb.support.provider_missing"))
        if form.estimate_cents is None or form.estimate_cents > MAX_CENTS:
            form.errors.append(("estimate", "pb.money_invalid"))
        if not form.goal_ids:
            form.errors.append(("goal-0", "pb.support.goal_missing"))
        return form

    def body(self) -> dict[str, Any]:
        return {"description": self.description, "category": self.category, "provider_type": self.provider_type,
                "estimated_cost_cents": self.estimate_cents, "goal_ids": self.goal_ids}


def default_period(today: date) -> tuple[str, str]:
    """A year from today, as the demo and most decisions run."""
    return today.isoformat(), (today + timedelta(days=364)).isoformat()


def euros_typed(cents: int, language: str) -> str:
    """Cents as a person would type them into an amount field (``2400,00``; ``2400.00`` in English): what
    ``cents_of`` reads back, without the thousands separators it would not."""
    return f"{cents // 100}{'.' if language == 'en' else ','}{cents % 100:02d}"


def planned_by_category(supports: list[dict[str, Any]]) -> dict[str, int]:
    """The supports' estimates summed by category, in the plan's order: the proposal's starting point."""
    totals: dict[str, int] = {}
    for s in supports:
        totals[s["category"]] = totals.get(s["category"], 0) + int(s["estimated_cost_cents"])
    return totals


@dataclass
class ProposalForm:
    start: date | None
    end: date | None
    breakdown: dict[str, int | None]
    errors: Errors = field(default_factory=list)

    @classmethod
    def read(cls, start: str, end: str, amounts: dict[str, str]) -> ProposalForm:
        """The period and the money by category as typed in euros; the amount is their sum."""
        form = cls(_day(start), _day(end), {c: cents_of(v) for c, v in amounts.items()})
        if form.start is None:
            form.errors.append(("start", "pb.proposal.start_invalid"))
        if form.end is None:
            form.errors.append(("end", "pb.proposal.end_invalid"))
        elif form.start is not None and form.end <= form.start:
            form.errors.append(("end", "pb.proposal.end_before_start"))
        for category, cents in form.breakdown.items():
            if cents is None or cents > MAX_CENTS:
                form.errors.append((f"amount-{category}", "pb.money_invalid"))
        if not form.errors and form.amount_cents <= 0:
            first = next(iter(form.breakdown), "")
            form.errors.append((f"amount-{first}" if first else "start", "pb.proposal.amount_zero"))
        return form

    @property
    def amount_cents(self) -> int:
        return sum(c or 0 for c in self.breakdown.values())

    def body(self) -> dict[str, Any]:
        assert self.start is not None and self.end is not None
        return {"amount_cents": self.amount_cents, "period": {"start": self.start.isoformat(),
                                                              "end": self.end.isoformat()},
                "breakdown": {c: v for c, v in self.breakdown.items() if v}}


def _day(typed: str) -> date | None:
    try:
        return date.fromisoformat(typed.strip())
    except ValueError:
        return None


def reasoning_errors(reasoning: str) -> Errors:
    """A decision's reasoning (434/2003 45 §): needed, and within what budgeting keeps."""
    text = reasoning.strip()
    if not text:
        return [("reasoning", "pb.decision.reasoning_missing")]
    if len(text) > TEXT_MAX:
        return [("reasoning", "pb.text_too_long")]
    return []


# --- the decision letter's preview ---------------------------------------------------------------------------------


def letter_language(preferred: str | None) -> str:
    """A decision is written in Finnish or Swedish, the client's choice (shared/kernel/law.py decision_language)."""
    return "sv" if preferred == "sv" else "fi"


def letter_preview(budget: dict[str, Any], client_name: str, language: str,
                   service_task: str | None = None) -> dict[str, Any]:
    """What the decision letter says, in the decision's language: before the decision from the proposal and the
    plan (no number, no legal bases yet: those come with the decision), after it from the decision itself."""
    lt = catalogue().translator("letters", language)
    decision: dict[str, Any] = budget.get("decision") or {}
    funds, proposal = budget.get("funds") or {}, budget.get("proposal") or {}
    decided = bool(decision)
    amount = funds.get("decided_cents") if decided else proposal.get("amount_cents")
    period = (funds.get("period") if decided else proposal.get("period")) or {}
    breakdown = (funds.get("breakdown") if decided else proposal.get("breakdown")) or {}
    preview: dict[str, Any] = {
        "lang": language, "lt": lt, "decided": decided, "client_name": client_name,
        "authority": lt("county.name"), "number": decision["decision_number"] if decided else None,
        "decided_on": lt.date(decision.get("decided_on")) if decided and decision.get("decided_on") else None,
        "service_task": lt(f"service_task.{service_task}") if service_task and lt.has(f"service_task.{service_task}")
        else None,
        "outcome": lt("letter.outcome.budget", amount=lt.money(amount or 0), start=lt.date(period.get("start")),
                      end=lt.date(period.get("end"))) if amount and period else None,
        "breakdown": [(_category(c, language), lt.money(v)) for c, v in sorted(breakdown.items())],
        "goals": [g["title"] for g in budget.get("goals", [])],
        "supports": [(s["description"], _category(s["category"], language), lt.money(s["estimated_cost_cents"]))
                     for s in budget.get("supports", [])],
        "reasoning": decision.get("reasoning") if decided else None,
        "decided_by": (decision.get("decided_by_name") or decision.get("decided_by")) if decided else None,
        "prepared_by": decision.get("prepared_by_name") if decided else None,
        "legal_bases": [], "remedy": None,
    }
    if decided:
        preview.update(_law(decision, lt, language))
    return preview


def _law(decision: dict[str, Any], lt: Translator, language: str) -> dict[str, Any]:
    """The legal bases and the rectification instructions the decision was made with, worded from the acts fixture
    in the letter's language (budgeting records codes; words are written when read)."""
    acts = tables.acts()
    bases = [acts.basis(LegalBasis.model_validate(b), language) for b in decision.get("legal_bases") or []]
    instructions = decision.get("instructions")
    remedy = None
    if instructions:
        remedy = lt(f"letter.remedy.{instructions['kind']}", act=acts.cite(instructions["act"], language),
                    days=instructions["days"], body=acts.body(instructions["body"], language))
    elif decision.get("appeal_instructions"):
        remedy = decision["appeal_instructions"]  # a decision recorded before issue 14 keeps its own words
    if not bases and decision.get("legal_basis"):
        bases = [decision["legal_basis"]]
    return {"legal_bases": bases, "remedy": remedy,
            "remedy_title": lt("letter.section.appeal" if instructions and instructions["kind"] == "appeal"
                               else "letter.section.rectification")}


def _category(code: str, language: str) -> str:
    cat = catalogue()
    return cat.text("budgeting", f"category.{code}", language) if cat.has("budgeting", f"category.{code}", language) \
        else code.replace("_", " ")
