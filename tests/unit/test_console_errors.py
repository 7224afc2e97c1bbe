"""A fault in a console page is still answered with a page in the person's words (status 500), never Starlette's
bare "Internal Server Error" text, and the log names only the error's type and the route."""

from __future__ import annotations

import httpx

from services.console.bootstrap import create_app
from services.console.settings import ConsoleSettings


async def test_an_unexpected_fault_is_a_page_in_words() -> None:
    app = create_app(ConsoleSettings())

    @app.get("/boom/{client_id}")
    async def boom(client_id: str) -> None:
        raise TypeError(f"'<' not supported for {client_id}")

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://console.test") as http:
        answer = await http.get("/boom/Matti-Meikalainen", headers={"Accept-Language": "sv"})
    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("text/html")
    assert '<html lang="sv"' in answer.text and "Internal Server Error" not in answer.text
    assert "not supported" not in answer.text  # the fault's own words stay out of the page
