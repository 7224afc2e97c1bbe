"""Whom a representative acts for (issue 15): the choices by name, the one made without asking, what a submitted
choice may name, and whose case the client's pages then read; the choice survives in the sealed session; a person
who is a client and a guardian switches between the two with the token of each role. Pure: the services and the
identity provider are fakes here (the real ones: tests/browser)."""

from __future__ import annotations

import time

import httpx
import jwt

from services.console.acting import SELF, automatic, chosen, represented
from services.console.adapters.oidc import Renewed
from services.console.bootstrap import create_app
from services.console.entrypoints.acting import act_for, first_session
from services.console.session import CSRF_COOKIE, SESSION_COOKIE, Sealer, Session
from services.console.settings import DEV_SESSION_KEY, ConsoleSettings

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


# --- the choice sent, with the services and the identity provider faked (the real ones: tests/browser) ------------

def token(sub: str, role: str) -> str:
    return jwt.encode({"sub": sub, "role": role}, "not-checked-here-32-bytes-long!!", algorithm="HS256")


class Broker:
    async def refresh(self, refresh_token: str) -> Renewed:
        return Renewed(access_token="broker", expires_in=900, refresh_token=refresh_token)


class Intake:
    """Who the person is in each role: client c-9, and p-1 who is Eetu's guardian."""

    async def exchange(self, subject_token: str, scope: str = "client") -> dict[str, object]:
        return {"access_token": token("c-9" if scope == "client" else "p-1", scope), "expires_in": 900}

    async def get(self, service: str, path: str, bearer: str, **kw: object) -> dict[str, object]:
        assert jwt.decode(bearer, options={"verify_signature": False})["role"] == "representative"
        if path == "/representatives/me":
            return {"represents": ME["represents"][1:]}
        return {"items": [{"client_id": CHILD, "name": "Eetu Koivisto"}]}


async def send(app: object, session: Session, whom: str) -> tuple[int, str, Session | None]:
    sealer = Sealer(DEV_SESSION_KEY)
    cookies = {SESSION_COOKIE: sealer.seal_session(session), CSRF_COOKIE: "secret"}
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://console.test", cookies=cookies) as http:
        answer = await http.post("/my/acting-for", data={"csrf": sealer.csrf_token("secret"), "whom": whom,
                                                          "next": "/my/budget"})
    return answer.status_code, answer.headers.get("location", ""), sealer.session(answer.cookies.get(SESSION_COOKIE))


async def test_a_client_who_is_a_guardian_too_switches_to_the_child_and_back_with_the_token_of_each_role() -> None:
    app = create_app(ConsoleSettings())
    app.state.services, app.state.oidc = Intake(), {"citizen": Broker()}
    both = citizen("client", user_id="c-9", token=token("c-9", "client"), refresh_token="r", also_client=True,
                   represents=[{"client_id": CHILD, "name": "Eetu Koivisto", "kind": "guardian"}])
    status, where, acting = await send(app, both, CHILD)
    assert (status, where) == (303, "/my/budget") and acting is not None
    assert (acting.role, acting.user_id, acting.client_id, acting.acting_for_name) == (
        "representative", "p-1", CHILD, "Eetu Koivisto")
    assert jwt.decode(acting.token, options={"verify_signature": False})["sub"] == "p-1"
    status, where, own = await send(app, acting, SELF)
    assert status == 303 and own is not None
    assert (own.role, own.user_id, own.client_id, own.acting_for) == ("client", "c-9", "c-9", None)
    status, _, _ = await send(app, acting, OTHER)  # not among the people she represents
    assert status == 422
