"""Whom a representative acts for (issue 15): the choices by name, the one made without asking, what a submitted
choice may name, and whose case the client's pages then read; the choice survives in the sealed session. Pure."""

from __future__ import annotations

import time

from services.console.acting import SELF, automatic, chosen, represented
from services.console.entrypoints.acting import act_for, first_session
from services.console.session import Sealer, Session
from services.console.settings import DEV_SESSION_KEY

CHILD, OTHER = "11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"
ME = {"person_id": "p-1", "represents": [
    {"client_id": OTHER, "link_id": "l-2", "kind": "court_appointed", "scope": ["read"], "reads": True},
    {"client_id": CHILD, "link_id": "l-1", "kind": "guardian", "scope": ["read"], "reads": True}]}


def citizen(role: str = "representative", **kw: object) -> Session:
    values: dict[str, object] = {"kind": "citizen", "user_id": "p-1", "role": role, "name": "Marja Koivisto",
                                 "token": "t", "expires_at": time.time() + 60} | kw
    return Session(**values)  # type: ignore[arg-type]


def test_the_choices_are_the_represented_clients_by_name_and_one_shown_no_name_stays_a_choice() -> None:
    rows = represented(ME, [{"client_id": CHILD, "name": "Eetu Koivisto"}])
    assert rows == [{"client_id": CHILD, "name": "Eetu Koivisto", "kind": "guardian"},
                    {"client_id": OTHER, "name": None, "kind": "court_appointed"}]  # its name not given to this reader


def test_one_represented_client_is_chosen_without_asking_unless_the_person_is_a_client_too() -> None:
    one = represented({"represents": ME["represents"][1:]}, [{"client_id": CHILD, "name": "Eetu Koivisto"}])
    assert automatic(one, also_client=False) == CHILD
    assert automatic(one, also_client=True) is None  # "myself" is a choice too
    assert automatic(represented(ME, []), also_client=False) is None  # two: the person chooses


def test_a_choice_names_a_represented_client_or_myself_only_for_a_client_and_nothing_else() -> None:
    rows = represented(ME, [])
    assert chosen(CHILD, rows, also_client=False) == {"client_id": CHILD, "name": None, "kind": "guardian"}
    assert chosen("33333333-3333-3333-3333-333333333333", rows, also_client=True) is None  # a forged form
    assert chosen(SELF, rows, also_client=False) is None
    assert chosen(SELF, rows, also_client=True) == {"client_id": None, "name": None, "kind": None}


def test_the_client_pages_read_the_chosen_clients_case_and_nobodys_before_the_choice() -> None:
    rep = citizen(represents=represented(ME, [{"client_id": CHILD, "name": "Eetu Koivisto"}]))
    assert rep.client_id == ""  # Page.require_client sends them to choose first
    acting = act_for(rep, chosen(CHILD, rep.represents, False))
    assert (acting.client_id, acting.acting_for_name, acting.acting_for_kind) == (CHILD, "Eetu Koivisto", "guardian")
    assert citizen("client", user_id="c-9").client_id == "c-9"  # a client reads their own
    sealer = Sealer(DEV_SESSION_KEY)
    opened = sealer.session(sealer.seal_session(acting))
    assert opened is not None and opened.client_id == CHILD and opened.represents == acting.represents


def test_after_sign_in_one_child_opens_their_plan_several_or_myself_ask_first() -> None:
    one = citizen(represents=[{"client_id": CHILD, "name": "Eetu Koivisto", "kind": "guardian"}])
    session, home = first_session(one)
    assert (session.acting_for, home) == (CHILD, "/my/plan")
    session, home = first_session(citizen(represents=represented(ME, [])))
    assert (session.acting_for, home) == (None, "/my/acting-for")
    both = citizen("client", user_id="c-9", also_client=True, represents=one.represents)
    assert first_session(both)[1] == "/my/acting-for"
    assert first_session(citizen("client", user_id="c-9"))[1] == "/my/plan"
    assert first_session(citizen(represents=[]))[1] == "/my/acting-for"  # says they represent nobody today
