"""The case history's one listener: every record of every service's topic (and the access topic) into the
history's tables, in the inbox's transaction, with where it sat on Kafka (the pipeline's position).

The history's copy of people (shared/infra/people.py: staff names from intake's staff directory, each person's
language) is written here too, in the same session, rather than by the shared people listener: this listener
already reads intake's topic, and one consumer group reading it once keeps a name and the events it explains in
one order."""

from __future__ import annotations

from uuid import UUID

from contracts.intake import ClientRegistered, PreferredLanguageChanged, StaffProfileRecorded
from services.history.application.ports import Ports
from services.history.domain.case import ACCESS_EVENT, is_case_event, short_type
from shared.infra import people
from shared.infra.eventstore import Position, Session
from shared.infra.pipeline import Application
from shared.infra.reactions import Listener
from shared.kernel.envelope import EventEnvelope

# Every service's events, and the access log every service writes (older access events are on the domain topics).
SOURCES = ("intake", "budgeting", "marketplace", "followup", "history", "decisions", "access")
# What the copy of people is made of: a staff profile (no case event), a client's chosen language (a case event).
PEOPLE = frozenset(e.event_type for e in (StaffProfileRecorded, ClientRegistered, PreferredLanguageChanged))


async def record(app: Application[Ports], session: Session, e: EventEnvelope, at: Position) -> None:
    tables = app.deps.tables
    if e.type == ACCESS_EVENT:
        await tables.record_access(session, e)
        return
    if e.type in PEOPLE:  # the timeline and the access log name people, and answer them in their language
        await people.note(app, session, e, at)
    if not is_case_event(e):
        return  # a staff profile, the provider catalogue: not about a client
    await tables.record_case_event(session, e, at)
    client_id, kind = UUID(e.data["client_id"]), short_type(e)
    if kind in ("IntakeCompleted", "NeedsAssessed"):
        await tables.note_service_task(session, client_id, e.data["service_task"])
    elif (kind == "CaseClosed" and e.source == "/avain/followup") or kind == "IntakeDeclined":
        # Either ends the case: its retention period runs from here (a declined intake is kept too).
        await tables.note_closed(session, client_id, e.time.date())
    elif kind == "ClientErased":
        await tables.note_erased(session, client_id, e.time)


# Every type, also those published after this was written: the history keeps what the log holds.
TIMELINE = Listener("timeline", SOURCES, accepts=lambda _type: True, effect=record)
