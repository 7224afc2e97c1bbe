"""A client's request for rectification from the console: as long as the decisions service keeps (its 20 000
characters, a line break counted once as the textarea counts it), anything longer refused in words with nothing
written, and a post far beyond any form refused before any page or service sees it."""

from __future__ import annotations

import json

import httpx

from services.console.entrypoints.rectification import TEXT_MAX
from tests.console_pages import console, person

DECISION = "6f1c2e0a-8f3d-4a55-9a71-0d2f5b8c1e11"
CLIENT = person(kind="citizen", user_id="7b0c4a57-5b7e-4d57-9a3c-0a3b1b7c9a11", role="client", name="Maija")
ASK = f"/my/decisions/{DECISION}/rectification"


def decisions(request: httpx.Request) -> httpx.Response:
    if request.method == "GET":
        return httpx.Response(200, json={"decision_id": DECISION, "kind": "budget", "decision_number": "HB-1",
                                         "decided_on": "2026-11-02", "served": [], "rectification_requests": []})
    return httpx.Response(201, json={"request_id": "0b7e4c1d-2a9f-4e36-8d5b-7c1a3e9f6b22"})


async def _ask(text: str) -> tuple[httpx.Response, list[httpx.Request]]:
    async with console(decisions, CLIENT) as c:
        answer = await c.http.post(ASK, data=c.form(text=text), headers={"Accept-Language": "fi"})
    return answer, c.sent


def _written(sent: list[httpx.Request]) -> list[httpx.Request]:
    return [r for r in sent if r.method == "POST"]


async def test_a_request_as_long_as_the_service_keeps_is_sent_its_line_breaks_counted_once() -> None:
    lines = ["a" * 99] * (TEXT_MAX // 100)
    typed = "\r\n".join(lines)  # as the browser sends a textarea: TEXT_MAX characters as the textarea counts them
    answer, sent = await _ask(typed)
    assert answer.status_code == 303
    [filed] = _written(sent)
    assert json.loads(filed.content)["text"] == "\n".join(lines)
    assert len("\n".join(lines)) <= TEXT_MAX < len(typed)


async def test_a_longer_request_is_refused_beside_the_field_in_words_and_nothing_is_written() -> None:
    answer, sent = await _ask("a" * (TEXT_MAX + 1))
    assert answer.status_code == 422 and "Vaatimus on liian pitkä" in answer.text
    assert _written(sent) == []


async def test_a_post_no_person_typed_in_the_form_is_refused_in_words_and_no_service_is_asked() -> None:
    answer, sent = await _ask("a" * 100_000)  # beyond what the form can send, below any size limit
    assert answer.status_code == 422 and "Tarkista tiedot" in answer.text
    assert sent == []


async def test_a_huge_post_is_refused_whole_in_words_and_no_service_is_asked() -> None:
    answer, sent = await _ask("a" * 3_000_000)
    assert answer.status_code == 413 and answer.headers["content-type"].startswith("text/html")
    assert "Pyynnössä on liikaa tietoa" in answer.text
    assert sent == []
