"""The API documentation pages render in a closed network: every asset comes from the service itself."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from shared.infra import apidocs, http
from shared.infra.auth import TokenIssuer
from shared.infra.settings import DEV_SECRET
from tests.support import DOC_PAGES, foreign_references, page_references


def app_with_docs() -> FastAPI:
    """Built as shared.infra.app.http_app builds a service's: the doc pages behind the same request gate."""
    app = FastAPI(title="Avain test", docs_url=None, redoc_url=None)
    app.state.tokens = TokenIssuer(DEV_SECRET)

    @app.get("/things")
    async def things() -> list[str]:
        return []

    async def ready() -> dict[str, str]:
        return {}

    apidocs.install(app)
    http.install(app, ready)
    return app


async def test_the_doc_pages_load_everything_from_their_own_origin() -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app_with_docs()), base_url="http://svc") as client:
        for page in DOC_PAGES:
            answer = await client.get(page)
            assert answer.status_code == 200, page
            assert not foreign_references(answer.text), (page, foreign_references(answer.text))
            references = page_references(answer.text)
            assert "/openapi.json" in references and any(r.endswith(".js") for r in references), references
            for url in references:
                loaded = await client.get(url)
                assert loaded.status_code == 200 and loaded.content, (page, url)
        assert "/things" in (await client.get("/openapi.json")).json()["paths"]
        assert (await client.get("/things")).status_code == 401  # the gate is there: only the docs pass it


async def test_behind_a_proxy_the_pages_point_under_its_path_prefix() -> None:
    transport = httpx.ASGITransport(app=app_with_docs(), root_path="/intake")
    async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
        html = (await client.get("/docs")).text
        assert all(url.startswith("/intake/") for url in page_references(html)), page_references(html)


def test_the_checks_see_a_cdn() -> None:
    cdn = '<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>'
    assert foreign_references(cdn)
    assert foreign_references('<link href="//fonts.example/x.css">')
