"""The client's own copy (GDPR art. 15): everything the history holds of their case, as of the request, in their
language, as one document (contracts/client_copy.py) that the PDF/A is rendered from.

What goes in is chosen, never filtered out (art. 15(4), no third party's data): the decisions' facts, the letters'
and dispatches' facts, the texts that are the client's own words (OWN_WORDS: opened with their key), each event in
words with who did it by role (and by name only for the county's staff, from the staff directory), and each read in
the access log said the same way. A representative's or support person's name, hetu, contact or id, and any other
sealed text (a representative's name, a link's basis, a worker's notes) is never opened or copied here.
``assemble`` is pure: the views gather what it needs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from contracts import client_copy as doc
from services.history.domain.case import as_of, short_type
from services.history.domain.rights import CopyRequest
from shared.i18n import Translator
from shared.kernel.canonical import jcs
from shared.kernel.envelope import EventEnvelope

# The sealed fields that hold the client's own words, by event (short type): the only texts a copy opens.
OWN_WORDS: dict[str, dict[str, str]] = {
    "GoalSet": {"title": "goal"},
    "SupportPlanned": {"description": "support"},
    "ClientWishRecorded": {"text": "wish"},
    "SelfAssessmentRecorded": {"own_words": "self_assessment", "wishes": "wishes"},
    "OwnCheckInRecorded": {"account": "check_in"},
    "CheckInRecorded": {"client_account": "check_in"},
    "EntryCorrected": {"correction": "correction"},
}
# The client's own identity and contact details (JSON, sealed): only these keys of it are copied.
DETAILS_OF: dict[str, str] = {"ClientRegistered": "personal_data", "ContactDetailsChanged": "contact"}
DETAILS = ("hetu", "first_name", "last_name", "address", "phone", "email")
REASONING = ("DecisionRecorded", "reasoning")  # a decision's reasoning: the client's to read (434/2003 45 §)
# Who may be named: the county's people, as its staff directory names them. Anyone else only by role.
STAFF = frozenset({"worker", "manager", "auditor", "planner"})
ERASED = "[erased]"

Opened = Mapping[tuple[str, str], str | None]  # (event id, field) -> the text, None when it cannot be opened


def to_open(events: Sequence[EventEnvelope]) -> list[tuple[str, str, dict[str, Any]]]:
    """(event id, field, sealed value) of every text the copy opens: the client's own words and the reasoning."""
    wanted: list[tuple[str, str, dict[str, Any]]] = []
    for e in events:
        kind = short_type(e)
        fields = list(OWN_WORDS.get(kind, {})) + ([REASONING[1]] if kind == REASONING[0] else [])
        fields += [DETAILS_OF[kind]] if kind in DETAILS_OF else []
        wanted += [(str(e.id), f, e.data[f]) for f in fields if isinstance(e.data.get(f), dict)]
    return wanted


def staff_ids(events: Sequence[EventEnvelope], access: Sequence[dict[str, Any]]) -> set[str]:
    ids = {e.actor.id for e in events if e.actor.role in STAFF}
    ids |= {str(e.data["decided_by"]) for e in events if short_type(e) == "DecisionRecorded"}
    return ids | {a["user_id"] for a in access if a["role"] in STAFF}


def _source(e: EventEnvelope) -> doc.Source:
    return doc.Source(event_id=e.id, hash=e.hash)


def _who(t: Translator, role: str, user_id: str, names: Mapping[str, str]) -> doc.Who:
    return doc.Who(role=role, role_words=t.of("kernel", f"role.{role}"),
                   name=names.get(user_id) if role in STAFF else None)


def _to(recipient: str | dict[str, Any]) -> str:
    """Whom a letter or a dispatch went to, as a role: a letter names 'client' or a person id, a dispatch from v2 on
    a reference {role, person_id, link_id}. A representative's id stays out of the copy (art. 15(4))."""
    role = recipient.get("role") if isinstance(recipient, dict) else recipient
    return "client" if role == "client" else "representative"


def _text(opened: Opened, e: EventEnvelope, field: str) -> str | None:
    text = opened.get((str(e.id), field))
    return None if text in (None, ERASED) else text


def _decision(t: Translator, e: EventEnvelope, opened: Opened, names: Mapping[str, str]) -> doc.Decision:
    d = e.data
    period = d.get("period") or {}
    return doc.Decision(
        source=_source(e), decision_number=d["decision_number"], kind=d["kind"],
        kind_words=t.of("letters", f"letter.title.{d['kind']}", number=d["decision_number"]),
        decided_on=d["decided_on"], decided_by=names.get(str(d["decided_by"])), amount_cents=d.get("amount_cents"),
        previous_amount_cents=d.get("previous_amount_cents"), period_start=period.get("start"),
        period_end=period.get("end"), breakdown=d.get("breakdown") or {}, reason_code=d.get("reason_code"),
        reasoning=_text(opened, e, "reasoning"), replaces=d.get("replaces"),
        legal_bases=[f"{b['act']} {b['section']} §" if b.get("section") else b["act"] for b in d["legal_bases"]])


def _own_words(t: Translator, e: EventEnvelope, opened: Opened) -> list[doc.OwnWords]:
    found = []
    for field, what in OWN_WORDS.get(short_type(e), {}).items():
        text = _text(opened, e, field)
        if text:
            found.append(doc.OwnWords(source=_source(e), what=what, what_words=t(f"copy.what.{what}"), text=text,
                                      category=e.data.get("category"),
                                      estimated_cost_cents=e.data.get("estimated_cost_cents")))
    return found


def _details(e: EventEnvelope, opened: Opened) -> list[doc.Details]:
    text = _text(opened, e, DETAILS_OF.get(short_type(e), ""))
    try:
        values = json.loads(text) if text else None
    except ValueError:
        values = None
    if not isinstance(values, dict):
        return []
    return [doc.Details(source=_source(e), **{k: v for k, v in values.items() if k in DETAILS and isinstance(v, str)})]


def _entry(t: Translator, e: EventEnvelope, names: Mapping[str, str]) -> doc.Entry:
    kind = short_type(e)
    said = t(f"event.{kind}") if t.has(f"event.{kind}") else kind
    amount = e.data.get("amount_cents")
    return doc.Entry(source=_source(e), time=e.time, type=kind, said=said,
                     who=_who(t, e.actor.role, e.actor.id, names), amount_cents=amount if type(amount) is int else None)


def _access(t: Translator, a: dict[str, Any], names: Mapping[str, str], words: Any) -> doc.Access:
    who = _who(t, a["role"], a["user_id"], names)
    # The sentence names the reader as the copy may: the staff member's name, otherwise their role (never an id).
    said = words(t, {**a, "user_id": who.role_words}, who.name)
    return doc.Access(event_id=a["event_id"], hash=a.get("event_hash"), time=a["accessed_at"], who=who,
                      purpose=a["purpose"], service=a["service"], refused=int(a["status"]) >= 400, said=said)


def assemble(t: Translator, client_id: str, request: CopyRequest, events: Sequence[EventEnvelope],
             access: Sequence[dict[str, Any]], opened: Opened, names: Mapping[str, str],
             access_words: Any) -> doc.ClientCopy:
    """The copy of ``request``: the client's events and reads as of the request (``events`` are the client's, in
    case order; ``access`` their access log), in ``t``'s language. Pure."""
    cut = as_of(events, request.requested_at)
    numbers = {str(e.data["decision_id"]): e.data["decision_number"] for e in cut
               if short_type(e) == "DecisionRecorded"}
    reads = sorted((a for a in access if datetime.fromisoformat(a["accessed_at"]) <= request.requested_at),
                   key=lambda a: (a["accessed_at"], a["event_id"]))
    return doc.ClientCopy(
        client_id=client_id, request_id=request.request_id, language=t.lang, requested_at=request.requested_at,
        requested_by=request.requested_by, due_on=request.due_on, as_of=request.requested_at,
        personal=[details for e in cut for details in _details(e, opened)],
        decisions=[_decision(t, e, opened, names) for e in cut if short_type(e) == "DecisionRecorded"],
        letters=[doc.Letter(source=_source(e), decision_number=e.data["decision_number"], language=e.data["language"],
                            to=_to(e.data["recipient"]), issued_at=e.data["metadata"]["issued_at"],
                            template_version=e.data["template_version"], content_hash=e.data["content_hash"])
                 for e in cut if short_type(e) == "LetterIssued"],
        dispatches=[doc.Dispatch(source=_source(e), decision_number=numbers.get(str(e.data["decision_id"])),
                                 method=e.data["method"], sent_on=e.data["sent_on"], to=_to(e.data["recipient"]),
                                 deadline=e.data.get("deadline"))
                    for e in cut if short_type(e) == "DecisionDispatched"],
        plan=[words for e in cut for words in _own_words(t, e, opened)],
        timeline=[_entry(t, e, names) for e in cut],
        access_log=[_access(t, a, names, access_words) for a in reads],
        sources=len(cut) + len(reads))


def content_hash(copy: doc.ClientCopy) -> str:
    """sha256 of the copy's JSON in RFC 8785 form: what CopyDelivered records of the copy as delivered."""
    return hashlib.sha256(jcs(copy.model_dump(mode="json")).encode()).hexdigest()
