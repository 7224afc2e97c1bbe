"""Finding clients: by name through the blind index (never decrypting anyone to search), only those the reader
may see, each shown client access-logged; by hetu only with a stated purpose, logged and rate-limited."""

from __future__ import annotations

from datetime import date

import asyncpg
import pytest

from shared.kernel.identifiers import make_hetu
from tests.journeys import MANAGER, OTHER_WORKER, WORKER, person

pytestmark = pytest.mark.integration


async def register(intake, tokens, first: str, last: str, n: int, coordinator: tuple[str, str] | None = WORKER) -> str:
    r = await intake.post("/clients", json=person(make_hetu(date(1980, 1, 1 + n), 300 + n), first_name=first,
                                                  last_name=last), headers=tokens(*WORKER))
    assert r.status_code == 201, r.text
    cid = r.json()["client_id"]
    if coordinator:
        consent = await intake.post(f"/clients/{cid}/consent", json={"given_by": "client"}, headers=tokens(*WORKER))
        assert consent.status_code == 200, consent.text
        assigned = await intake.put(f"/clients/{cid}/coordinator", json={"worker_id": coordinator[0]},
                                    headers=tokens(*MANAGER))
        assert assigned.status_code == 200, assigned.text
    return cid


async def logged_reads(intake, cid: str) -> int:
    pool: asyncpg.Pool = intake.app.state.runtime.pool
    return int(await pool.fetchval(
        "SELECT count(*) FROM events WHERE event_type = 'fi.avain.access.DataAccessed' AND subject = $1", cid))


async def test_search_by_name_prefixes_only_visible_clients_with_cursor_and_total(intake, tokens):
    mine = [await register(intake, tokens, "Aino", f"Virtanen{i}", i) for i in range(3)]
    eeros = await register(intake, tokens, "Aino", "Virtala", 5, coordinator=OTHER_WORKER)
    door = await register(intake, tokens, "Väinö", "Äijälä-Virta", 6, coordinator=None)

    first = await intake.get("/clients/search", params={"name": "ain vir", "limit": 2}, headers=tokens(*WORKER))
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["total"] == 3 and len(body["items"]) == 2 and body["next_cursor"]
    second = await intake.get("/clients/search", params={"name": "ain vir", "limit": 2, "cursor": body["next_cursor"]},
                              headers=tokens(*WORKER))
    found = body["items"] + second.json()["items"]
    assert sorted(i["client_id"] for i in found) == sorted(mine)  # not Eero's client
    assert {i["name"] for i in found} == {f"Aino Virtanen{i}" for i in range(3)}
    assert second.json()["next_cursor"] is None

    # Letters that tell names apart stay: ä is not a; an unassigned client at the door is visible.
    door_hits = (await intake.get("/clients/search", params={"name": "äijälä"}, headers=tokens(*WORKER))).json()
    assert [i["client_id"] for i in door_hits["items"]] == [door]
    assert (await intake.get("/clients/search", params={"name": "aijala"}, headers=tokens(*WORKER))).json()["total"] == 0
    # The manager sees everyone.
    assert (await intake.get("/clients/search", params={"name": "aino"}, headers=tokens(*MANAGER))).json()["total"] == 4
    # Every client shown is logged as read; one never shown is not.
    assert await logged_reads(intake, mine[0]) >= 1
    before = await logged_reads(intake, eeros)
    await intake.get("/clients/search", params={"name": "aino"}, headers=tokens(*WORKER))
    assert await logged_reads(intake, eeros) == before
    # A client cannot search.
    assert (await intake.get("/clients/search", params={"name": "aino"}, headers=tokens(mine[0], "client"))).status_code == 403


async def test_the_index_holds_no_name_in_clear(intake, tokens):
    cid = await register(intake, tokens, "Saara", "Salminen", 8)
    pool: asyncpg.Pool = intake.app.state.runtime.pool
    rows = await pool.fetch("SELECT token_hash FROM client_name_index WHERE client_id = $1", cid)
    assert rows and not any("saa" in r["token_hash"] or "sal" in r["token_hash"] for r in rows)
    sealed = await pool.fetchval("SELECT sealed_name::text FROM client_names WHERE client_id = $1", cid)
    assert "Saara" not in sealed and "Salminen" not in sealed


async def test_names_of_listed_clients_only_for_who_may_see_them(intake, tokens):
    mine = await register(intake, tokens, "Liisa", "Laine", 9)
    theirs = await register(intake, tokens, "Pekka", "Puro", 10, coordinator=OTHER_WORKER)
    r = await intake.get("/clients/names", params=[("id", mine), ("id", theirs)], headers=tokens(*WORKER))
    assert [(i["client_id"], i["name"]) for i in r.json()["items"]] == [(mine, "Liisa Laine")]
    own = await intake.get("/clients/names", params=[("id", mine), ("id", theirs)], headers=tokens(mine, "client"))
    assert [i["client_id"] for i in own.json()["items"]] == [mine]


async def test_many_names_are_opened_each_with_its_own_key_and_each_shown_client_logged_once(intake, tokens):
    """One answer, many clients: their keys come in one query, and every one shown gets its own access event;
    an erased client's name reads as erased, never as another's."""
    ids = [await register(intake, tokens, f"Nimi{n}", "Moni", 20 + n) for n in range(4)]
    await intake.app.state.runtime.keyring.destroy(ids[1], "test: erased")
    before = [await logged_reads(intake, c) for c in ids]
    r = await intake.get("/clients/names", params=[("id", c) for c in ids], headers=tokens(*WORKER))
    assert r.status_code == 200, r.text
    shown = {i["client_id"]: (i["name"], i["erased"]) for i in r.json()["items"]}
    assert shown == {ids[0]: ("Nimi0 Moni", False), ids[1]: (None, True), ids[2]: ("Nimi2 Moni", False),
                     ids[3]: ("Nimi3 Moni", False)}
    assert [await logged_reads(intake, c) for c in ids] == [n + 1 for n in before]


async def test_search_by_hetu_needs_a_purpose_is_logged_and_rate_limited(intake, tokens):
    hetu = make_hetu(date(1980, 1, 12), 312)
    r = await intake.post("/clients", json=person(hetu, first_name="Olli", last_name="Oja"), headers=tokens(*WORKER))
    cid = r.json()["client_id"]
    without = await intake.post("/clients/lookup", json={"hetu": hetu}, headers=tokens(*OTHER_WORKER))
    assert without.status_code == 422
    before = await logged_reads(intake, cid)
    found = await intake.post("/clients/lookup", json={"hetu": hetu},
                              headers={**tokens(*OTHER_WORKER), "X-Access-Purpose": "care"})
    assert found.status_code == 200 and found.json()["name"] == "Olli Oja"
    assert await logged_reads(intake, cid) == before + 1
    answers = [(await intake.post("/clients/lookup", json={"hetu": hetu},
                                  headers={**tokens(*OTHER_WORKER), "X-Access-Purpose": "care"})).status_code
               for _ in range(12)]
    assert 429 in answers and answers.index(429) == 9  # ten in ten minutes, the eleventh waits


async def test_a_hetu_that_fails_its_check_is_refused_with_registrations_code(intake, tokens):
    good = make_hetu(date(1980, 1, 12), 313)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")  # the right length, the wrong check character
    refused = await intake.post("/clients/lookup", json={"hetu": bad},
                                headers={**tokens(*WORKER), "X-Access-Purpose": "care"})
    assert refused.status_code == 422 and refused.json()["code"] == "invalid-hetu"
