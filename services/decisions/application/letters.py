"""Writing a decision's letter when a dispatch is recorded, and reading it back (issue 18).

The letter is written from the decision's record as the deciding service published it (kept in DecisionRegistered),
its sealed texts opened with the client's key, the people named from the staff directory, the law worded from the
acts fixture and the time limit from the dispatch: all in the decision's language. It is rendered once
(shared/infra/letters: PDF/A-3a that is also PDF/UA-1, with an accessible HTML twin) and kept as served: the PDF
and the facts sealed with the client's key inside LetterIssued, with its hashes. Reading it opens the PDF and checks
its hash; the HTML twin is rendered again from the sealed facts with the letter's own template version and texts,
and checked against its recorded hash. After the client's erasure neither opens.
"""

from __future__ import annotations

import base64
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from contracts import records
from contracts.decisions import DecisionRegistered, LetterIssued, LetterMetadata
from services.decisions.application import commands as c
from services.decisions.domain import letters
from shared.i18n import catalogue
from shared.infra import tables
from shared.infra.crypto import ERASED
from shared.infra.letters import (
    AmountLine,
    Dispatch,
    Letter,
    LetterContent,
    Remedy,
    StaffMember,
    SupportLine,
    render_html,
    render_letter,
    sha256,
)
from shared.infra.people import Person
from shared.kernel.errors import DomainError, NotFound

DOMAIN = "letters"


class LetterErased(DomainError):
    """The client's key is gone (erasure): no letter of theirs can be opened or rendered again."""

    status_code = 410
    code = "letter-erased"


class LetterTampered(RuntimeError):
    """A letter's bytes no longer match the hash recorded when it was served: an integrity failure, never shown."""


def letter_id_of(dispatch_id: UUID) -> UUID:
    """One letter per dispatch, the same id however often the dispatch is redelivered."""
    return uuid5(NAMESPACE_URL, f"urn:avain:decisions:letter:{dispatch_id}")


async def issue(cmd: c.IssueLetter, given: Any) -> letters.Issue:
    registered: DecisionRegistered | None = given.state.registered
    if registered is None or registered.record is None:
        return letters.Issue(cmd.dispatch_id, cmd.recipient, None)  # registered before letters were written
    record = registered.record
    client = str(record.client_id)
    plan = record.plan
    sealed = [record.reasoning, *(g.title for g in plan.goals), *(s.description for s in plan.supports)] \
        if plan else [record.reasoning]
    if await given.keyring.key(client) is None:
        return letters.Issue(cmd.dispatch_id, cmd.recipient, None)  # the client's key is gone: nothing to write
    opened = await given.keyring.open(client, *sealed)
    people = await given.deps.people.people([record.decided_by, record.prepared_by])
    content = content_of(record, cmd, opened, people)
    letter = render_letter(content)
    document, facts = await given.keyring.seal(client, base64.b64encode(letter.pdf).decode(),
                                               content.model_dump_json())
    m = letter.metadata
    return letters.Issue(cmd.dispatch_id, cmd.recipient, LetterIssued(
        letter_id=letter_id_of(cmd.dispatch_id), decision_id=record.decision_id, client_id=record.client_id,
        decision_number=record.decision_number, kind=record.kind, recipient=cmd.recipient,
        dispatch_id=cmd.dispatch_id, language=content.language, template_version=letter.template_version,
        catalogue_version=letter.catalogue_version, texts=dict(letter.texts), content_hash=letter.content_hash,
        html_hash=m.html_hash, pdf_variant=m.pdf_variant, document=document, content=facts,
        metadata=LetterMetadata(document_type=m.document_type, title=m.title, author=m.author,
                                organisation=m.organisation, service_task=m.service_task, decided_on=m.decided_on,
                                issued_at=m.created_at)))


def content_of(record: records.DecisionRecorded, cmd: c.IssueLetter, opened: list[str | None],
               people: dict[str, Person]) -> LetterContent:
    """The letter's facts in the decision's language. ``opened``: the reasoning, then the plan's goals and
    supports in the client's words, as opened with the client's key."""
    language = record.language
    reasoning, rest = opened[0], opened[1:]
    plan = record.plan
    goals = rest[:len(plan.goals)] if plan else []
    supports = rest[len(plan.goals):] if plan else []
    deciding = _staff(people, record.decided_by)
    preparing = _staff(people, record.prepared_by) if record.prepared_by else None
    period = record.period
    return LetterContent(
        kind=record.kind, decision_id=record.decision_id, decision_number=record.decision_number,
        client_id=record.client_id, decision_language="sv" if language == "sv" else "fi",
        issued_at=cmd.sent_at, decided_on=record.decided_on, recipient=None,
        amount_cents=record.amount_cents, previous_amount_cents=record.previous_amount_cents,
        period_start=period.start if period else None, period_end=period.end if period else None,
        goals=[g for g in goals if g], reasoning=reasoning, decided_by=deciding, prepared_by=preparing,
        # The client's contact in the matter: whoever prepared it (their worker), else whoever decided it.
        coordinator=preparing or deciding,
        dispatch=Dispatch(method=cmd.method, sent_at=cmd.sent_at, presumed_received_on=cmd.deemed_received_on),
        replaces=record.replaces,
        **worded(record, language, [text or "" for text in supports], cmd.deadline))


def worded(record: records.DecisionRecorded, language: str, support_texts: list[str],
           deadline: date | None) -> dict[str, Any]:
    """The parts of a letter that are written in its language from the record's codes (the acts fixture, the
    catalogue): what a courtesy translation writes anew, while the client's own words stay as they wrote them."""
    acts = tables.acts()
    plan = record.plan
    return dict(
        language=language, authority=_word(language, "county.name") or "",
        service_task=_word(language, f"service_task.{record.service_task}"),
        breakdown=[AmountLine(label=_category(language, key), amount_cents=cents)
                   for key, cents in sorted(record.breakdown.items())],
        supports=[SupportLine(description=text, category=_category(language, s.category),
                              estimated_cost_cents=s.estimated_cost_cents)
                  for s, text in zip(plan.supports if plan else [], support_texts, strict=True)],
        reason=_word(language, f"reason.{record.reason_code}") if record.reason_code else None,
        legal_bases=[acts.basis(b, language) for b in record.legal_bases] or [
            acts.cite(record.instructions.act, language)],
        decided_by_body=acts.body(record.decided_by_body, language) if record.decided_by_body else None,
        remedy=Remedy(kind=record.instructions.kind, body=acts.body(record.instructions.body, language),
                      act=acts.cite(record.instructions.act, language), days=record.instructions.days,
                      deadline=deadline))


def _staff(people: dict[str, Person], staff_id: str | None) -> StaffMember:
    person = people.get(staff_id or "")
    if person is None:  # not (yet) in the directory: the letter still names who decided, by their staff id
        return StaffMember(name=staff_id or "?")
    return StaffMember(name=person.name, title=person.title, unit=person.unit, phone=person.work_phone,
                       email=person.work_email)


def _word(language: str, key: str) -> str | None:
    cat = catalogue()
    return cat.text(DOMAIN, key, language) if cat.has(DOMAIN, key, language) else None


def _category(language: str, code: str) -> str:
    """A support's category or a budget part in words: budgeting's categories, else follow-up's areas of life."""
    cat = catalogue()
    for domain, key in (("budgeting", f"category.{code}"), ("followup", f"area.{code}")):
        if cat.has(domain, key, language):
            return cat.text(domain, key, language)
    return code


# --- reading ---------------------------------------------------------------------------------------------------


def summary(letter: LetterIssued) -> dict[str, Any]:
    """What a reader sees of a letter before opening it: no personal data, the hashes to check it by."""
    return {"letter_id": str(letter.letter_id), "decision_id": str(letter.decision_id),
            "decision_number": letter.decision_number, "kind": letter.kind, "recipient": letter.recipient,
            "language": letter.language, "template_version": letter.template_version,
            "catalogue_version": letter.catalogue_version, "content_hash": letter.content_hash,
            "html_hash": letter.html_hash, "pdf_variant": letter.pdf_variant,
            "metadata": letter.metadata.model_dump(mode="json")}


async def pdf_of(keyring: Any, letter: LetterIssued) -> bytes:
    [opened] = await keyring.open(str(letter.client_id), letter.document)
    if opened is None or opened == ERASED:
        raise LetterErased("the letter can no longer be opened", code="letter-erased")
    pdf = base64.b64decode(opened)
    if sha256(pdf) != letter.content_hash:
        raise LetterTampered(f"letter {letter.letter_id} does not match its recorded hash")
    return pdf


async def courtesy_translation(keyring: Any, record: records.DecisionRecorded | None, letter: LetterIssued,
                               language: str) -> Letter:
    """The letter in another language of the catalogue (English on request): written anew from the record and
    the letter's own facts (the client's words, the dispatch, the deadline) with the current template. Not the
    decision, and not kept: the served letter stays the one that counts, and this one says so."""
    if record is None:
        raise NotFound("this letter has no record to translate it from")
    [opened] = await keyring.open(str(letter.client_id), letter.content)
    if opened is None or opened == ERASED:
        raise LetterErased("the letter can no longer be opened", code="letter-erased")
    served = LetterContent.model_validate_json(opened)
    update = worded(record, language, [s.description for s in served.supports], served.remedy.deadline)
    return render_letter(served.model_copy(update=update))


async def html_of(keyring: Any, letter: LetterIssued) -> str:
    """The accessible twin, rendered again from the letter's sealed facts with its own version and texts."""
    [opened] = await keyring.open(str(letter.client_id), letter.content)
    if opened is None or opened == ERASED:
        raise LetterErased("the letter can no longer be opened", code="letter-erased")
    html, _, _ = render_html(LetterContent.model_validate_json(opened), version=letter.template_version,
                             texts=letter.texts)
    if sha256(html.encode()) != letter.html_hash:
        raise LetterTampered(f"letter {letter.letter_id} does not match its recorded hash")
    return html
