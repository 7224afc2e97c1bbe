"""The intake wizard's questions and how an answer is read: one question per page, each field checked as typed
before anything is sent, and the reason for each error as a catalogue key beside its field.

The console decides nothing about the case: intake checks every command again (the hetu too) and refuses in its
own words. What is read here only spares the person a round trip and says precisely what to fix in a field.

Answers that intake takes in one command although they are asked on two pages (the registration's five pages, the
self-assessment's scores and words, the needs assessment's service task and needs) wait in a sealed cookie
(``Draft``) until the page that sends the command: nothing is written before that, and nothing at all when
anything is refused."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from contracts.intake import ServiceTask
from shared.kernel.identifiers import InvalidIdentifier, validate_hetu

Kind = Literal["text", "email", "tel", "textarea", "radio", "checkboxes"]
AREAS = ("general_ability", "mental_wellbeing", "social_participation", "physical_functioning", "competence",
         "everyday_life")
ADULT_SCALE = tuple(str(n) for n in range(11))  # 0–10
CHILD_SCALE = tuple(str(n) for n in range(1, 6))  # five faces, 1–5
SUPPORT_NEEDS = ("everyday_life", "mental_wellbeing", "social_participation", "physical_functioning", "competence",
                 "recreation", "mobility", "housing")
SERVICE_TASKS = tuple(task.value for task in ServiceTask)
GIVERS = ("client", "guardian", "representative")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# validate_hetu's reasons (stable sentences, never the value) to the words a person reads.
HETU_REASONS = {
    "hetu: must be exactly 11 characters long": "intake.hetu.length",
    "hetu: date part must consist of six digits": "intake.hetu.date_digits",
    "hetu: century sign must be uppercase": "intake.hetu.uppercase",
    "hetu: unknown century sign": "intake.hetu.century",
    "hetu: individual number must consist of three digits": "intake.hetu.individual",
    "hetu: check character must be uppercase": "intake.hetu.uppercase",
    "hetu: check character is not a valid check character": "intake.hetu.check_char",
    "hetu: impossible date": "intake.hetu.date",
    "hetu: individual number is reserved and never issued": "intake.hetu.reserved",
    "hetu: check character does not match": "intake.hetu.mismatch",
}


@dataclass(frozen=True)
class Field:
    """One input of a question page: its label is ``intake.field.<name>`` (with ``.hint`` when it has one)."""

    name: str
    kind: Kind = "text"
    required: bool = True
    max_length: int = 200
    options: tuple[str, ...] = ()
    autocomplete: str | None = None
    hint: bool = False


@dataclass(frozen=True)
class Question:
    """A page: its heading ``intake.q.<step>`` (lead text ``intake.q.<step>.lead`` when it has one)."""

    step: str
    fields: tuple[Field, ...]
    lead: bool = False


REGISTRATION: tuple[Question, ...] = (
    Question("hetu", (Field("hetu", max_length=11, hint=True),), lead=True),
    Question("name", (Field("first_name", autocomplete="off"), Field("last_name", autocomplete="off"))),
    Question("contact", (Field("phone", "tel", required=False, max_length=40, autocomplete="off"),
                         Field("email", "email", required=False, max_length=254, autocomplete="off"),
                         Field("address", "textarea", required=False, max_length=400, autocomplete="off")), lead=True),
    Question("municipality", (Field("municipality", max_length=64, autocomplete="off"),)),
    Question("language", (Field("preferred_language", "radio", options=("fi", "sv", "en")),), lead=True),
)


def scores_question(form: str) -> Question:
    """The self-assessment's six areas: the adult's 0–10, or the children's five faces under 15."""
    scale = CHILD_SCALE if form == "child" else ADULT_SCALE
    return Question("scores", tuple(Field(area, "radio", options=scale) for area in AREAS), lead=True)


CASE: dict[str, Question] = {
    "consent": Question("consent", (Field("given_by", "radio", options=GIVERS, hint=True),), lead=True),
    "coordinator": Question("coordinator", (Field("worker_id", "radio", hint=True),)),
    "words": Question("words", (Field("own_words", "textarea", required=False, max_length=8000, hint=True),
                                Field("wishes", "textarea", required=False, max_length=8000, hint=True)), lead=True),
    "task": Question("task", (Field("service_task", "radio", options=SERVICE_TASKS),)),
    "needs": Question("needs", (Field("support_needs", "checkboxes", options=SUPPORT_NEEDS, hint=True),
                                Field("summary", "textarea", max_length=4000, hint=True))),
}
CASE_STEPS = ("consent", "coordinator", "scores", "words", "task", "needs")
DECLINE = Question("decline", (Field("reason", "textarea", max_length=4000, hint=True),), lead=True)


@dataclass
class Answer:
    """What a page's form said: the values as typed (shown again on an error) and the errors by field."""

    values: dict[str, Any]
    errors: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # (field, key, params)

    @property
    def ok(self) -> bool:
        return not self.errors


def read(question: Question, form: dict[str, list[str]], options: dict[str, tuple[str, ...]] | None = None) -> Answer:
    """Each field as typed (surrounding space trimmed), checked: required, length, a choice among the options, the
    hetu's own rules and an e-mail's shape. ``options`` gives the choices known only at the time (the staff)."""
    answer = Answer({})
    for f in question.fields:
        choices = (options or {}).get(f.name, f.options)
        if f.kind == "checkboxes":
            chosen = [v for v in form.get(f.name, []) if v in choices]
            answer.values[f.name] = chosen
            if f.required and not chosen:
                answer.errors.append((f.name, f"intake.error.{f.name}.missing", {}))
            continue
        value = (form.get(f.name) or [""])[0].strip()
        answer.values[f.name] = value
        error = _error(f, value, choices)
        if error:
            answer.errors.append((f.name, error, {"max": f.max_length}))
    return answer


def _error(f: Field, value: str, choices: tuple[str, ...]) -> str | None:
    if not value:
        return f"intake.error.{f.name}.missing" if f.required else None
    if f.kind == "radio" and value not in choices:
        return f"intake.error.{f.name}.missing"
    if len(value) > f.max_length:
        return "intake.error.too_long"
    if f.name == "hetu":
        return hetu_error(value)
    if f.kind == "email" and not EMAIL.match(value):
        return "intake.error.email.shape"
    return None


def hetu_error(value: str) -> str | None:
    """The hetu checked as typed (never made upper case: the century sign is part of the identity), the reason in
    a person's words when it fails."""
    try:
        validate_hetu(value)
    except InvalidIdentifier as exc:
        return HETU_REASONS.get(exc.reason, "intake.hetu.invalid")
    return None


def scores_of(values: dict[str, Any]) -> dict[str, int]:
    return {area: int(values[area]) for area in AREAS}


def next_case_step(case: dict[str, Any]) -> str:
    """Where the wizard goes on with a case: the first step intake has no answer to, else the check page."""
    if case.get("consent") != "given":
        return "consent"
    if not case.get("coordinator_id"):
        return "coordinator"
    if case.get("self_assessment") is None:
        return "scores"
    if case.get("needs_assessment") is None:
        return "task"
    return "check"
