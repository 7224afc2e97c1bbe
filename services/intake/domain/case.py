"""The state of one client's record in intake, as its events leave it: the intake steps (client.py), the changes in
the client's life (life.py) and who represents them (representation.py) decide on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal
from uuid import UUID

from contracts.intake import AssessmentForm, Language, SelfAssessmentScores, ServiceTask
from shared.kernel.representation import Act, AgeStage, Kind

Status = Literal["unregistered", "open", "completed", "declined"]
Consent = Literal["none", "given", "withdrawn"]


@dataclass(frozen=True)
class Link:
    """A person representing the client."""

    representative_id: UUID
    kind: Kind
    scope: frozenset[Act]
    starts_on: date
    ends_on: date | None  # the first day it no longer holds
    confirmed: bool
    ended_on: date | None = None

    def in_force(self, on: date) -> bool:
        return (self.confirmed and self.ended_on is None and self.starts_on <= on
                and (self.ends_on is None or on < self.ends_on))

    @property
    def open(self) -> bool:
        """Not ended by an event (it may still wait for its start or its confirmation)."""
        return self.ended_on is None


@dataclass(frozen=True)
class IntakeCase:
    client_id: UUID | None = None
    status: Status = "unregistered"
    consent: Consent = "none"
    coordinator_id: str | None = None
    municipality: str | None = None  # as registered; later moves in ``moves``
    preferred_language: Language | None = None
    latest_scores: SelfAssessmentScores | None = None
    latest_form: AssessmentForm = "adult"
    service_task: ServiceTask | None = None
    support_needs: tuple[str, ...] = ()
    # Moves within the county: (effective from, municipality), in the order they take effect.
    moves: tuple[tuple[date, str], ...] = ()
    moved_out_on: date | None = None  # moved to another county: this county's responsibility ended
    new_county: str | None = None
    # Age: known once noted at registration (or when a guardian is first linked to an older record).
    age_known: bool = False
    acts_alone_from: date | None = None  # a child's 15th birthday
    adult_from: date | None = None  # a minor's 18th birthday
    links: dict[UUID, Link] = field(default_factory=dict)
    prohibitions: dict[UUID, tuple[frozenset[UUID], bool]] = field(default_factory=dict)  # id → (guardians, all)

    @property
    def registered(self) -> bool:
        return self.status != "unregistered"

    def municipality_on(self, day: date) -> str | None:
        """The home municipality in force on ``day``."""
        current = self.municipality
        for since, municipality in self.moves:
            if since <= day:
                current = municipality
        return current

    def stage_on(self, day: date) -> AgeStage:
        if self.adult_from is None or day >= self.adult_from:
            return "adult"
        return "minor_15" if self.acts_alone_from is None or day >= self.acts_alone_from else "child"

    def form_on(self, day: date) -> AssessmentForm:
        """The self-assessment form for the client on ``day``: the children's while they are under 15."""
        return "child" if self.age_known and self.stage_on(day) == "child" else "adult"

    def guardians_in_force(self, day: date) -> dict[UUID, Link]:
        return {k: v for k, v in self.links.items() if v.kind == "guardian" and v.in_force(day)}


INITIAL = IntakeCase()
