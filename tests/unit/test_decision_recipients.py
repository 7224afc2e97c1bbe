"""Who is entitled to be served a decision (services/decisions/domain/recipients.py), and how a dispatch of
version 1, whose recipient was text, reads as version 2."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from contracts.decisions import DecisionDispatched, Recipient, registry
from services.decisions.domain.recipients import Link, Standing, choose, entitled
from shared.kernel.errors import InvalidCommand, RuleViolation
from shared.kernel.representation import ACTS

CLIENT = uuid4()
MOTHER, FATHER, COURT = (UUID(int=1), UUID(int=2), UUID(int=3))
ALL = frozenset(ACTS)


def link(person: UUID, kind: str = "guardian", scope: frozenset[str] = ALL, reads: bool = True) -> Link:
    return Link(uuid4(), person, kind, scope, reads)  # type: ignore[arg-type]


def test_a_child_under_15_is_served_through_each_guardian_and_not_alone() -> None:
    mother, father = link(MOTHER), link(FATHER)
    assert entitled(CLIENT, Standing(acts_alone=False, links=(father, mother))) == (
        Recipient(role="guardian", person_id=MOTHER, link_id=mother.link_id),
        Recipient(role="guardian", person_id=FATHER, link_id=father.link_id))


def test_a_minor_of_15_is_served_as_well_as_each_guardian_and_an_adult_alone() -> None:
    mother = link(MOTHER)
    assert [r.reference for r in entitled(CLIENT, Standing(acts_alone=True, links=(mother,)))] == [
        "client", str(MOTHER)]
    assert entitled(CLIENT, Standing()) == (Recipient(role="client", person_id=CLIENT),)


def test_a_representative_is_entitled_by_the_kind_and_scope_of_their_link_and_a_forbidden_guardian_is_not() -> None:
    court = link(COURT, "court_appointed", frozenset({"read", "rectification"}))
    only_orders = link(UUID(int=4), "authorised", frozenset({"orders"}))
    forbidden = link(FATHER, reads=False)
    got = entitled(CLIENT, Standing(acts_alone=True, links=(court, only_orders, forbidden)))
    assert [(r.role, r.person_id) for r in got] == [("client", CLIENT), ("court_appointed", COURT)]


def test_a_person_with_two_links_is_served_once() -> None:
    first, second = link(MOTHER), link(MOTHER, "authorised")
    assert [r.person_id for r in entitled(CLIENT, Standing(acts_alone=False, links=(first, second)))] == [MOTHER]


def test_the_recipient_is_chosen_by_reference_or_refused_with_the_reason() -> None:
    mother = link(MOTHER)
    child = entitled(CLIENT, Standing(acts_alone=False, links=(mother,)))
    assert choose(str(MOTHER).upper(), child).link_id == mother.link_id  # a person id however it is spelled
    with pytest.raises(RuleViolation) as under_15:
        choose("client", child)
    assert under_15.value.code == "recipient-under-15"
    with pytest.raises(RuleViolation) as stranger:
        choose(str(FATHER), child)
    assert stranger.value.code == "recipient-not-entitled"
    with pytest.raises(InvalidCommand) as words:
        choose("Maija Meikäläinen", child)
    assert words.value.code == "recipient-not-a-reference"


@pytest.mark.parametrize(("text", "role", "person"), [
    ("client", "client", CLIENT), (str(MOTHER), "representative", MOTHER), ("Maija Meikäläinen", "unidentified", None)])
def test_a_dispatch_of_version_1_reads_as_version_2_with_a_reference_and_no_words(
        text: str, role: str, person: UUID | None) -> None:
    v1 = {"decision_id": str(uuid4()), "client_id": str(CLIENT), "recipient": text, "method": "letter",
          "sent_at": "2026-11-17T09:00:00+00:00", "sent_on": "2026-11-17", "recorded_by": "worker-aino",
          "electronic_consent": False, "rules_version": "2026-01", "deemed_received_on": "2026-11-24",
          "deadline": "2026-12-28"}
    event = registry.load(DecisionDispatched.event_type, 1, v1)
    assert isinstance(event, DecisionDispatched)
    assert event.recipient == Recipient(role=role, person_id=person)  # type: ignore[arg-type]
    assert "Maija" not in event.model_dump_json()
    assert event.recipient.reference == ("client" if role == "client" else str(person) if person else "unidentified")
