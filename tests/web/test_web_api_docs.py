"""The HTTP API documents itself: /openapi.json and a Swagger UI page at /docs, offline."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.support.server import ServerProcess
from valgus.web.app import ServeConfig, create_app

TOKEN = "a-token-of-the-right-length"
LOOPBACK = "http://127.0.0.1"


def test_openapi_lists_every_api_route_and_the_docs_page_serves_offline(tmp_path: Path) -> None:
    client = TestClient(create_app(ServeConfig(data_dir=tmp_path / "data")), base_url=LOOPBACK)
    schema = client.get("/openapi.json").json()
    paths = set(schema["paths"])
    for route in ("/api/clips", "/api/clips/{clip_id}", "/api/clips/{clip_id}/notes"):
        assert route in paths
    assert "/docs" not in paths and not any(p.startswith("/static") for p in paths)
    page = client.get("/docs")
    assert page.status_code == 200
    # Only this server's own files: no CDN, no inline script (the CSP forbids both).
    assert 'src="/swagger/swagger-ui-bundle.js"' in page.text
    assert "http" not in page.text and "<script>" not in page.text
    assert client.get("/swagger/swagger-ui-bundle.js").status_code == 200


def test_beyond_loopback_the_docs_need_the_token_like_everything_else(tmp_path: Path) -> None:
    app = create_app(ServeConfig(data_dir=tmp_path / "data", token=TOKEN))
    client = TestClient(app, base_url=LOOPBACK)
    for path in ("/docs", "/openapi.json", "/swagger/swagger-ui.css"):
        assert client.get(path).status_code == 401, path
        authorised = client.get(path, headers={"Authorization": f"Bearer {TOKEN}"})
        assert authorised.status_code == 200, path


@pytest.mark.slow
def test_the_docs_page_renders_every_operation_in_chromium(browser, tmp_path: Path) -> None:
    with ServerProcess(tmp_path / "data") as server:
        page = browser.new_page()
        problems: list[str] = []
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(server.url + "docs")
        page.wait_for_selector(".opblock", timeout=30_000)
        operations = page.locator(".opblock").count()
        schema = page.evaluate("() => fetch('/openapi.json').then(r => r.json())")
        expected = sum(len(methods) for methods in schema["paths"].values())
        assert operations == expected >= 10
        assert "valgus" in page.locator(".title").first.inner_text()
        assert problems == []
