"""The intake wizard's last registration page says intake's refusal as it is: the hetu's error only when intake
refused the hetu (and it leads to the hetu's change link), any other refusal in its own words by its code."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from services.console.entrypoints.intake_wizard import DRAFT_PURPOSE
from services.console.session import INTAKE_DRAFT_COOKIE
from tests.console_pages import WORKER, console
from tests.unit.test_console_intake_wizard import hetu

ANSWERS = {"hetu": hetu("150690", "953"), "first_name": "Tuula", "last_name": "Testi", "municipality": "Pori",
           "preferred_language": "fi"}


async def _register_refused_with(problem: dict[str, Any]) -> str:
    """The check page's error summary after intake answered registration with ``problem``."""
    def intake(request: httpx.Request) -> httpx.Response:
        return httpx.Response(problem["status"], json=problem, headers={"Content-Type": "application/problem+json"})

    async with console(intake) as c:
        draft = {"by": WORKER["user_id"], "until": time.time() + 600, "answers": {"register": ANSWERS}}
        c.http.cookies.set(INTAKE_DRAFT_COOKIE, c.seal(DRAFT_PURPOSE, draft), path="/intake")
        answer = await c.http.post("/intake/new/check", data=c.form(), headers={"Accept-Language": "fi"})
    assert [r.url.path for r in c.sent] == ["/clients"]
    assert answer.status_code == problem["status"]
    summary = answer.text.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    return summary


async def test_intakes_hetu_refusal_is_the_hetus_error() -> None:
    summary = await _register_refused_with({"status": 422, "code": "invalid-hetu", "detail": "hetu: impossible date"})
    assert 'href="#change-hetu"' in summary and "Henkilötunnus ei kelpaa" in summary


@pytest.mark.parametrize(("code", "words"), [
    ("validation", "Tarkista tiedot"),
    ("invalid-characters", "merkkejä"),
])
async def test_another_422_is_said_by_its_code_not_as_a_hetu_error(code: str, words: str) -> None:
    summary = await _register_refused_with({"status": 422, "code": code, "detail": "invalid request: municipality"})
    assert "Henkilötunnus" not in summary and 'href="#change-hetu"' not in summary
    assert words in summary and 'href="#register"' in summary
