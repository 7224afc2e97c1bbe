"""The staff directory on the real broker and database: entries from a sign-in's claims or an administrator, and
every service that shows people naming them from its own copy: the client's view of their worker, the budget's
decider and worker, the case history's timeline and the access log in words; and a person answered in the
language they chose when their request names none."""

from __future__ import annotations

from typing import Any

import pytest

from tests.journeys import MANAGER, WORKER, budget_opened, person, walk_to_completion
from tests.support import eventually

pytestmark = pytest.mark.integration

AINO = {"name": "Aino Virtanen", "title": "sosiaalityöntekijä", "unit": "Porin aikuissosiaalityö",
        "email": "aino.virtanen@hyvinvointialue.example", "languages": ["fi", "sv"]}


async def test_people_are_named_everywhere_from_the_staff_directory(intake, budgeting, history, tokens):
    signed_in = tokens(*WORKER, **AINO)
    r = await intake.post("/staff/me", headers=signed_in)
    assert r.status_code == 200 and [e["type"].rsplit(".", 1)[1] for e in r.json()["events"]] == [
        "StaffProfileRecorded"]
    assert (await intake.post("/staff/me", headers=signed_in)).json()["events"] == []  # unchanged: nothing new
    r = await intake.put(f"/staff/{MANAGER[0]}", headers=tokens(*MANAGER), json={
        "name": "Helmi Nieminen", "title": "palveluesihenkilö", "work_email": "helmi.nieminen@hyvinvointialue.example",
        "languages": ["fi"]})
    assert r.status_code == 200
    assert (await intake.put(f"/staff/{WORKER[0]}", headers=tokens(*WORKER), json={"name": "x"})).status_code == 403
    entry = (await intake.get(f"/staff/{WORKER[0]}", headers=tokens(*MANAGER))).json()
    assert (entry["name"], entry["unit"], entry["source"]) == ("Aino Virtanen", "Porin aikuissosiaalityö",
                                                                "identity_provider")
    assert entry.get("role") == "worker"  # the verified token's role, for who may approve what

    cid = await walk_to_completion(intake, tokens)
    me = tokens(cid, "client")
    case = (await intake.get(f"/clients/{cid}", headers=me)).json()
    assert case["coordinator"]["name"] == "Aino Virtanen"  # the client's view of their worker: a name, a way to reach
    assert case["coordinator"]["work_email"] == AINO["email"]

    await budget_opened(budgeting, tokens, cid)

    async def named_budget() -> Any:
        view = (await budgeting.get(f"/budgets/{cid}", headers=me)).json()
        return view if view["coordinator"] and view["coordinator"]["name"] else None

    budget = await eventually(named_budget, timeout=30)
    assert budget["coordinator"] == {"staff_id": WORKER[0], "name": "Aino Virtanen", "title": "sosiaalityöntekijä",
                                     "unit": "Porin aikuissosiaalityö", "work_email": AINO["email"],
                                     "work_phone": None, "languages": ["fi", "sv"]}

    audit = tokens("auditor-otso", "auditor") | {"X-Access-Purpose": "audit"}

    async def named_timeline() -> Any:
        r = await history.get(f"/history/clients/{cid}", headers=audit)
        if r.status_code != 200:
            return None
        names = {e["actor"]["name"] for e in r.json()["timeline"] if e["type"] == "CoordinatorAssigned"}
        return names if names == {"Aino Virtanen"} else None

    await eventually(named_timeline, timeout=30)

    async def read_in_words() -> Any:
        r = await history.get("/history/access", params={"client_id": cid}, headers=audit | {"Accept-Language": "fi"})
        mine = [e for e in r.json() if e["user_id"] == WORKER[0]] if r.status_code == 200 else []
        return mine if any(e["status"] < 400 for e in mine) else None

    reads = await eventually(read_in_words, timeout=30)
    assert {e["user_name"] for e in reads} == {"Aino Virtanen"}
    read = next(e for e in reads if e["status"] < 400)
    assert "Aino Virtanen (omatyöntekijä) luki tietoja. Peruste: asiakastyö." in read["words"], read["words"]
    refused = [e for e in reads if e["status"] >= 400]  # the budget not opened yet when she first looked
    assert all("pääsy evättiin" in e["words"] for e in refused)


async def test_a_person_is_answered_in_the_language_they_chose_when_the_request_names_none(intake, budgeting, tokens):
    r = await intake.post("/clients", headers=tokens(*WORKER), json=person(preferred_language="sv"))
    cid = r.json()["client_id"]
    await intake.post(f"/clients/{cid}/consent", headers=tokens(*WORKER), json={"given_by": "client"})
    me = tokens(cid, "client")

    async def swedish() -> Any:
        refused = await budgeting.post(f"/budgets/{cid}/closure", headers=me, json={"reason": "period_ended"})
        return refused.json() if refused.headers.get("content-language") == "sv" else None

    # budgeting heard the client's choice from intake's ClientRegistered; no budget yet: 404, in Swedish
    answer = await eventually(swedish, timeout=30)
    assert answer["title"] == "Uppgiften hittades inte"
    english = await budgeting.post(f"/budgets/{cid}/closure", headers=me | {"Accept-Language": "en"},
                                   json={"reason": "period_ended"})
    assert english.headers["content-language"] == "en"  # the request's own language comes first

    # The client chooses Finnish later (the console's language switch): budgeting hears that too
    changed = await intake.put(f"/clients/{cid}/preferred-language", headers=me, json={"preferred_language": "fi"})
    assert changed.status_code == 200, changed.text

    async def finnish() -> Any:
        refused = await budgeting.post(f"/budgets/{cid}/closure", headers=me, json={"reason": "period_ended"})
        return refused.json() if refused.headers.get("content-language") == "fi" else None

    assert (await eventually(finnish, timeout=30))["title"] == "Tietoa ei löytynyt"
