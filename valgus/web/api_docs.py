"""The HTTP API's own documentation: ``/openapi.json`` and a Swagger UI page at ``/docs``.

Why not FastAPI's built-in ``/docs``: it loads Swagger UI from a CDN and starts
it with an inline script, and the app's pages are served offline under a
content security policy that allows neither (valgus.web.security). Swagger UI
5 (the first to read OpenAPI 3.1, which FastAPI writes) ships in the
``fastapi-offline`` wheel (MIT); its files are served from ``/swagger`` and
``/static/api-docs.js`` starts it. Like every
route, both sit behind the token when the server listens beyond loopback.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

SWAGGER_PREFIX = "/swagger"

router = APIRouter(include_in_schema=False)

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>valgus API</title>
<link rel="stylesheet" href="/swagger/swagger-ui.css">
<link rel="icon" href="/swagger/favicon.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/swagger/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


@router.get("/docs", response_class=HTMLResponse)
def api_docs_page() -> HTMLResponse:
    """Swagger UI over this server's /openapi.json."""
    return HTMLResponse(_PAGE)


def add_api_docs(app: FastAPI) -> None:
    """Serve the Swagger UI files and the docs page (``openapi_url`` must be /openapi.json)."""
    swagger_files = str(files("fastapi_offline") / "static")
    app.mount(SWAGGER_PREFIX, StaticFiles(directory=swagger_files), name="swagger")
    app.include_router(router)
