"""TestClient fixtures for the dashboard: a fresh SQLite store per test, loopback base URL."""

from __future__ import annotations

import html
import re

import pytest

pytest.importorskip("fastapi", reason="the web extra (fastapi) is not installed")


@pytest.fixture()
def make_client(tmp_path):
    from fastapi.testclient import TestClient

    from detente.web import create_app

    def make(**kw):
        kw.setdefault("db_url", str(tmp_path / "web.sqlite"))
        app = create_app(**kw)
        return TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False)

    return make


@pytest.fixture()
def client(make_client):
    return make_client()


@pytest.fixture()
def editor_form():
    return _editor_form


def _editor_form(client, ref: str = "emission-standards-1994") -> tuple[dict[str, str], dict[str, str]]:
    """GET the editor page (``/s/REF``: a built-in name or KEY@VERSION); return (form fields incl.
    csrf/base/scenario, htmx headers)."""
    page = client.get(f"/s/{ref}")
    assert page.status_code == 200, page.text
    token = client.cookies.get("detente_csrf")
    assert token
    base = html.unescape(re.search(r'name="base" value="([^"]*)"', page.text).group(1))
    origin = html.unescape(re.search(r'name="origin" value="([^"]*)"', page.text).group(1))
    form = {
        "csrf_token": token,
        "base": base,
        "origin": origin,
        "scenario": ref,
        "model": "compromise",
        "seed": "0",
    }
    return form, {"HX-Request": "true", "X-CSRF-Token": token}
