"""What the follow-up pages need beyond follow-up's answers: reading the worker's check-in (how it was had, the
client's account in their own words, the worker's notes, and where the client stands on each goal of the plan on
the GAS scale), a re-assessment of the six self-assessment areas and the closing of the case, as typed, into the
bodies follow-up's API takes; each mistake named beside its field before anything is sent.

The console decides nothing: follow-up checks whose case it is, that it is open and that consent holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from services.console.plan import LEVEL_VALUES, LEVELS
from services.console.views import AREAS

CONTACT_TYPES = ("meeting", "phone", "video", "home_visit", "message")
CLOSURE_REASONS = ("goals_achieved", "client_request", "needs_changed", "period_ended", "deceased", "other")
TEXT_MAX, NOTE_MAX = 8000, 4000  # follow-up's CheckInBody texts; its ClosureBody.note and EndRequestBody.reason
SCALES = {"adult": range(0, 11), "child": range(1, 6)}  # the adult form 0–10, the children's faces 1–5
Errors = list[tuple[str, str]]  # (the field's id, the catalogue key of the mistake)


def _text(value: str, field_id: str, missing: str, limit: int, errors: Errors) -> str:
    text = value.strip()
    if not text and missing:
        errors.append((field_id, missing))
    elif len(text) > limit:
        errors.append((field_id, "fu.error.too_long"))
    return text


@dataclass
class CheckInForm:
    contact_type: str
    client_account: str
    worker_notes: str
    levels: dict[str, int | None]  # goal id -> the GAS level chosen (−2…+2), None when none was
    errors: Errors = field(default_factory=list)

    @classmethod
    def read(cls, contact_type: str, client_account: str, worker_notes: str, typed_levels: dict[str, str],
             goal_ids: list[str]) -> CheckInForm:
        """A check-in needs how it was had, the client's account and the worker's notes, and a level for every goal
        of the plan: GAS scores each goal at each follow-up, so none is left out by mistake."""
        errors: Errors = []
        contact = contact_type if contact_type in CONTACT_TYPES else ""
        if not contact:
            errors.append((f"contact-{CONTACT_TYPES[0]}", "fu.error.contact_missing"))
        account = _text(client_account, "client_account", "fu.error.account_missing", TEXT_MAX, errors)
        notes = _text(worker_notes, "worker_notes", "fu.error.notes_missing", TEXT_MAX, errors)
        levels: dict[str, int | None] = {}
        for goal_id in goal_ids:
            typed = typed_levels.get(goal_id, "")
            levels[goal_id] = LEVEL_VALUES[typed] if typed in LEVEL_VALUES else None
            if levels[goal_id] is None:
                errors.append((f"goal-{goal_id}-{LEVELS[0]}", "fu.error.level_missing"))
        return cls(contact, account, notes, levels, errors)

    def body(self) -> dict[str, Any]:
        return {"contact_type": self.contact_type, "client_account": self.client_account,
                "worker_notes": self.worker_notes}

    def attainments(self) -> list[dict[str, Any]]:
        return [{"goal_id": g, "level": level} for g, level in self.levels.items() if level is not None]


@dataclass
class ReassessmentForm:
    scores: dict[str, int | None]
    own_words: str
    form: str
    errors: Errors = field(default_factory=list)

    @classmethod
    def read(cls, typed: dict[str, str], own_words: str, form: str) -> ReassessmentForm:
        """Every area on the scale of the form the client was first assessed on, and their own words if any."""
        errors: Errors = []
        scale = SCALES.get(form, SCALES["adult"])
        scores: dict[str, int | None] = {}
        for area in AREAS:
            value = typed.get(area, "").strip()
            scores[area] = int(value) if value.isdigit() and int(value) in scale else None
            if scores[area] is None:
                errors.append((f"area-{area}", "fu.error.score_missing"))
        words = _text(own_words, "own_words", "", TEXT_MAX, errors)
        return cls(scores, words, form if form in SCALES else "adult", errors)

    def body(self) -> dict[str, Any]:
        return {"scores": self.scores, "own_words": self.own_words or None, "form": self.form}


@dataclass
class ClosureForm:
    reason: str
    note: str
    errors: Errors = field(default_factory=list)

    @classmethod
    def read(cls, reason: str, note: str) -> ClosureForm:
        errors: Errors = []
        chosen = reason if reason in CLOSURE_REASONS else ""
        if not chosen:
            errors.append((f"reason-{CLOSURE_REASONS[0]}", "fu.error.reason_missing"))
        return cls(chosen, _text(note, "note", "", NOTE_MAX, errors), errors)

    def body(self) -> dict[str, Any]:
        return {"reason": self.reason, "note": self.note or None}


def own_text(text: str, field_id: str, *, required: bool, limit: int = TEXT_MAX) -> tuple[str, Errors]:
    """The client's own words, as they wrote them (a check-in needs some; a request to end may go without)."""
    errors: Errors = []
    return _text(text, field_id, "fu.error.own_missing" if required else "", limit, errors), errors
