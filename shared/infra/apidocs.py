"""The API documentation pages, /docs (Swagger UI) and /redoc, with every asset served by the service itself.

FastAPI's own pages load Swagger UI and ReDoc from a CDN (and ReDoc its fonts from Google), so in a
county's closed network they are blank. Here the pages point at /docs/assets/, served from the files the
PyPI package fastapi-offline ships (Swagger UI 5 and ReDoc 2, installed with requirements.txt, so they are
in every image too), and nothing on either page names another origin.

Every service gets them from shared.infra.app.http_app; an app built otherwise calls ``install`` itself.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_PATH = "/docs/assets"
ASSETS = files("fastapi_offline") / "static"
# The validator badge would send the API description to validator.swagger.io: off.
SWAGGER_PARAMETERS = {"validatorUrl": None}


def install(app: FastAPI) -> None:
    """/docs, /docs/oauth2-redirect and /redoc on ``app``, which must be built with docs_url=None, redoc_url=None."""
    assert app.docs_url is None and app.redoc_url is None, "FastAPI's own pages load their assets from a CDN"
    app.mount(ASSETS_PATH, StaticFiles(directory=str(ASSETS)), name="api-doc-assets")
    openapi_url = app.openapi_url or "/openapi.json"
    oauth2_redirect_url = app.swagger_ui_oauth2_redirect_url or "/docs/oauth2-redirect"

    def root(request: Request) -> str:
        return str(request.scope.get("root_path", ""))  # behind a proxy that strips a path prefix

    @app.get("/docs", include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        base = root(request)
        return get_swagger_ui_html(
            openapi_url=base + openapi_url, title=f"{app.title} – API",
            swagger_js_url=f"{base}{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{base}{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{base}{ASSETS_PATH}/favicon.png",
            oauth2_redirect_url=base + oauth2_redirect_url, swagger_ui_parameters=SWAGGER_PARAMETERS,
        )

    @app.get(oauth2_redirect_url, include_in_schema=False)
    async def swagger_ui_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get("/redoc", include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        base = root(request)
        return get_redoc_html(openapi_url=base + openapi_url, title=f"{app.title} – API",
                              redoc_js_url=f"{base}{ASSETS_PATH}/redoc.standalone.js",
                              redoc_favicon_url=f"{base}{ASSETS_PATH}/favicon.png", with_google_fonts=False)
