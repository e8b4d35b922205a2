"""Offline: no served page refers to another host; /api/docs is Swagger UI served from the package.

The browser side (Swagger UI renders with every non-local request aborted) is in tests/e2e.
"""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from urllib.parse import urlsplit

EMISSION = "emission-standards-1994"
LOCAL = {"127.0.0.1", "localhost", "::1", "testserver"}
# an attribute that makes the browser fetch or navigate: src, href, action, poster, data, srcset
ATTR = re.compile(r"""\b(?:src|href|action|poster|data|srcset|formaction)\s*=\s*["']?([^"'\s>]+)""", re.I)
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]+)""", re.I)


def _external(urls: list[str]) -> list[str]:
    out = []
    for u in urls:
        u = u.strip()
        if u.startswith("//") or re.match(r"(?i)https?:", u):
            if (urlsplit(u if not u.startswith("//") else "http:" + u).hostname or "") not in LOCAL:
                out.append(u)
    return out


def _pages(client) -> list[str]:
    saved = client.post(
        "/api/scenarios",
        json={"scenario": client.get(f"/api/scenarios/{EMISSION}").json()["scenario"], "author": "t"},
    )
    assert saved.status_code == 201, saved.text
    ref = saved.json()["scenario"]
    return [
        "/",
        f"/scenario?scenario={EMISSION}",
        "/s/ukraine-2025",
        "/scenario?scenario=ukraine-2025",
        f"/s/{ref}",
        f"/compare?a={EMISSION}&b={ref}&model=median",
        "/ledger",
        "/api/docs",
        "/no-such-page",
    ]


def test_no_served_page_refers_to_another_host(client):
    for path in _pages(client):
        r = client.get(path, headers={"Accept": "text/html"})
        assert r.status_code in (200, 404), (path, r.status_code)
        assert r.headers["content-type"].startswith("text/html"), path
        urls = ATTR.findall(r.text) + CSS_URL.findall(r.text)
        assert _external(urls) == [], (path, _external(urls))
        # nor in the page's own CSS/JS includes
        assert "cdn.jsdelivr" not in r.text and "fastapi.tiangolo.com" not in r.text, path


def test_api_docs_is_swagger_ui_from_the_package(client):
    r = client.get("/api/docs")
    assert r.status_code == 200
    assert 'src="/static/swagger-ui-bundle.js"' in r.text
    assert 'href="/static/swagger-ui.css"' in r.text
    assert '"validatorUrl": null' in r.text  # Swagger UI must not call validator.swagger.io
    assert "/api/openapi.json" in r.text
    vendor = resources.files("detente.web") / "static" / "vendor" / "swagger-ui"
    for name, size in (("swagger-ui-bundle.js", 1_806_268), ("swagger-ui.css", 205_828)):
        got = client.get(f"/static/{name}")
        assert got.status_code == 200, name
        assert got.content == (vendor / name).read_bytes() and len(got.content) == size, name
    js = client.get("/static/swagger-ui-bundle.js")
    assert js.headers["content-type"].startswith("text/javascript")
    assert client.get("/static/swagger-ui.css").headers["content-type"].startswith("text/css")
    # licence and provenance travel with the files
    assert "Apache License" in (vendor / "LICENSE").read_text()
    assert "SmartBear" in (vendor / "NOTICE").read_text()
    prov = (vendor / "PROVENANCE.md").read_text()
    assert "swagger-ui-dist" in prov and "5.36.0" in prov
    digest = hashlib.sha256((vendor / "swagger-ui-bundle.js").read_bytes()).hexdigest()
    assert digest in prov
    # and the browser would refuse anything from elsewhere: the CSP names no other host
    for path in ("/", "/api/docs", "/static/swagger-ui-bundle.js", "/api/health"):
        csp = client.get(path).headers["content-security-policy"]
        directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
        for name, sources in directives.items():
            for src in sources.split():
                assert src in {"'self'", "'none'", "'unsafe-inline'", "'unsafe-eval'", "data:", "blob:"}, (
                    path,
                    name,
                    src,
                )
        for name in ("default-src", "script-src", "style-src", "connect-src", "img-src", "font-src"):
            assert "'self'" in directives[name] or directives[name] == "'none'", name
