"""Who is entitled to be served a decision: pure rules over the service's copy of the representation records
(shared/infra/representation.py keeps it from intake's events; docs/decisions/0026).

- the client, when they act alone: 15 or older (Administrative Procedure Act 434/2003, 14 §: a minor of 15 and the
  guardian each use the right to be heard and served in the minor's own matters); a younger child is served
  through their guardians;
- each representative whose link is in force on the day of sending (confirmed, started, not past its end, not
  ended) and whose mandate reads the client's matters: each guardian on their own (a child often has two), a
  court-appointed representative within the scope the court set, a confirmed continuing power of attorney, an
  authorised person within the authorisation;
- not a guardian the client forbade to be given their data (812/2000, 11 §): the prohibition holds for every read,
  and a decision served is a decision read.

A dispatch names its recipient by reference ('client' or the person id), and one who is not entitled on the day of
sending is refused with the reason, in the catalogue (problem.recipient-*). No names: those stay in intake's sealed
events.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from contracts.decisions import CLIENT_RECIPIENT, Recipient
from shared.kernel.errors import InvalidCommand, RuleViolation
from shared.kernel.representation import Kind


@dataclass(frozen=True)
class Link:
    """A representation link in force on the day asked about, as the service's copy has it."""

    link_id: UUID
    representative_id: UUID
    kind: Kind
    scope: frozenset[str]
    reads: bool = True  # False: the client forbade giving their data to this guardian


@dataclass(frozen=True)
class Standing:
    """What the representation records say of a client on a day: whether they act alone, and the links in force."""

    acts_alone: bool = True  # an adult, or a minor of 15 or more (no stage recorded: an adult)
    links: tuple[Link, ...] = ()


def entitled(client_id: UUID, standing: Standing) -> tuple[Recipient, ...]:
    """Everyone entitled to be served a decision of ``client_id``'s: the client first (if 15 or older), then each
    representative in the order of their person ids (each once, by the first of their links)."""
    client = (Recipient(role="client", person_id=client_id),) if standing.acts_alone else ()
    chosen: dict[UUID, Link] = {}
    for link in sorted(standing.links, key=lambda x: (str(x.representative_id), str(x.link_id))):
        if link.reads and "read" in link.scope:
            chosen.setdefault(link.representative_id, link)
    return (*client, *(Recipient(role=link.kind, person_id=person, link_id=link.link_id)
                       for person, link in chosen.items()))


def choose(reference: str, among: Iterable[Recipient]) -> Recipient:
    """The entitled recipient ``reference`` names ('client' or a person id), or the refusal with its reason."""
    if reference != CLIENT_RECIPIENT:
        try:
            reference = str(UUID(reference))
        except ValueError:
            raise InvalidCommand("name the recipient by reference: 'client' or a representative's person id",
                                 field="recipient", code="recipient-not-a-reference") from None
    found = {r.reference: r for r in among}
    if reference in found:
        return found[reference]
    if reference == CLIENT_RECIPIENT:
        raise RuleViolation("the client is under 15: a decision is served to their guardians",
                            code="recipient-under-15")
    raise RuleViolation("this person is not entitled to be served the client's decision: no representation link in "
                        "force on the day of sending lets them read the client's matters", code="recipient-not-entitled")
