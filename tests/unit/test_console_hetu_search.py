"""Staff search by hetu: only intake's own verdict on the hetu (``invalid-hetu``) is shown at the hetu field; any
other refusal of the lookup is a page in words by its code, never "the hetu is not valid"; and intake's lookup
refuses a bad hetu with registration's code."""

from __future__ import annotations

import httpx
import pytest

from services.intake.application.directory import ClientDirectory
from shared.kernel.errors import InvalidCommand
from shared.kernel.principal import Principal
from tests.console_pages import console

HETU = "131052-308T"  # the right shape: the console asks intake, and intake judges it
INVALID = "Henkilötunnus ei ole oikeanmuotoinen."


def problem(status: int, code: str) -> httpx.Response:
    return httpx.Response(status, json={"type": "about:blank", "title": code, "status": status, "code": code},
                          headers={"content-type": "application/problem+json"})


async def test_intakes_invalid_hetu_is_shown_at_the_hetu_field() -> None:
    async with console(lambda request: problem(422, "invalid-hetu")) as c:
        answer = await c.http.post("/clients/search/hetu", data=c.form(hetu=HETU, purpose="care"),
                                   headers={"Accept-Language": "fi"})
    assert answer.status_code == 422 and INVALID in answer.text and 'href="#hetu"' in answer.text


@pytest.mark.parametrize(("status", "code", "words"), [
    (422, "validation", "Tarkista tiedot"),
    (429, "rate-limited", "Liian monta hakua"),
])
async def test_another_refusal_of_the_lookup_is_not_called_an_invalid_hetu(status: int, code: str,
                                                                          words: str | None) -> None:
    async with console(lambda request: problem(status, code)) as c:
        answer = await c.http.post("/clients/search/hetu", data=c.form(hetu=HETU, purpose="care"),
                                   headers={"Accept-Language": "fi"})
    assert answer.status_code == status and INVALID not in answer.text
    assert answer.headers["content-type"].startswith("text/html")
    if words:
        assert words in answer.text


async def test_intakes_lookup_refuses_a_bad_hetu_with_registrations_code() -> None:
    directory = ClientDirectory(pool=None, keyring=None, pepper=b"p")  # type: ignore[arg-type]
    worker = Principal(user_id="worker-aino", role="worker")
    with pytest.raises(InvalidCommand) as refused:
        await directory.client_with_hetu("131052-3080", worker)  # the wrong check character
    assert refused.value.code == "invalid-hetu" and refused.value.field == "hetu"
