"""Token, Host check, CSRF, upload limits, safe parsing, no tracebacks, offline assets."""

from __future__ import annotations

import base64

import pytest

EMISSION = "emission-standards-1994"
YAML = (
    "id: tiny\ntitle: Tiny\nactors:\n  - {id: a}\n  - {id: b, capability: 2}\nissues:\n  - {id: x, scale: {low: 0, high: 10}}\n"
    "stances:\n  - {actor: a, issue: x, position: 2, salience: 0.5}\n  - {actor: b, issue: x, position: 8, salience: 0.9}\n"
)


def test_token_required_everywhere(make_client):
    c = make_client(token="s3cret-token")
    for path in ("/", "/api/models", "/static/htmx.min.js", "/api/openapi.json"):
        r = c.get(path)
        assert r.status_code == 401 and "token" in r.json()["error"]
    assert c.get("/api/models", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
    assert c.get("/api/models", headers={"X-Detente-Token": "s3cret-token"}).status_code == 200
    assert c.get("/api/models", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert c.get("/login?token=wrong", follow_redirects=False).status_code == 401
    r = c.get("/login?token=s3cret-token", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert "HttpOnly" in r.headers["set-cookie"] and "SameSite=Strict" in r.headers["set-cookie"]
    assert c.get("/").status_code == 200  # the cookie now carries the token
    # with a token, other host names are allowed (the token protects)
    assert c.get("/api/health", headers={"Host": "example.org"}).status_code == 200


def test_only_loopback_hosts_without_token(client):
    assert client.get("/api/health").status_code == 200
    assert client.get("/api/health", headers={"Host": "localhost:8000"}).status_code == 200
    r = client.get("/api/health", headers={"Host": "attacker.example:8000"})
    assert r.status_code == 421 and "127.0.0.1" in r.json()["error"]


def test_csrf_on_forms(client, editor_form):
    form, hx = editor_form(client)
    assert client.post("/ui/run", data=form, headers=hx).status_code == 200
    # no header and no matching form field -> refused
    no_token = {k: v for k, v in form.items() if k != "csrf_token"}
    r = client.post("/ui/run", data=no_token)
    assert r.status_code == 403 and "CSRF" in r.json()["error"]
    r = client.post("/ui/run", data={**form, "csrf_token": "forged"})
    assert r.status_code == 403
    # the form field alone is enough for plain form posts (downloads)
    assert client.post("/ui/yaml", data=form).status_code == 200
    # a foreign Origin is refused even with the token
    r = client.post("/ui/run", data=form, headers={**hx, "Origin": "http://evil.example"})
    assert r.status_code == 403 and "Origin" in r.text
    r = client.post("/api/forecast", json={"scenario": EMISSION}, headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    r = client.post("/api/forecast", json={"scenario": EMISSION}, headers={"Sec-Fetch-Site": "cross-site"})
    assert r.status_code == 403
    # same-origin JSON and plain API clients are fine
    assert (
        client.post(
            "/api/forecast", json={"scenario": EMISSION}, headers={"Origin": "http://127.0.0.1"}
        ).status_code
        == 200
    )
    # text/plain (a cross-site form can send it) needs the token too
    r = client.post("/api/forecast", content=b'{"ref": "x"}', headers={"Content-Type": "text/plain"})
    assert r.status_code == 403


def test_upload_parses_listed_formats_and_saves(client, editor_form):
    _form, hx = editor_form(client)
    r = client.post("/ui/upload", files={"file": ("talks.yaml", YAML.encode())}, headers=hx)
    assert r.status_code == 204 and r.headers["hx-redirect"] == "/s/tiny@1"
    assert client.get("/s/tiny@1").status_code == 200
    b64 = base64.b64encode(YAML.encode()).decode()
    r = client.post("/api/parse", json={"filename": "t.yml", "content_base64": b64, "save": True})
    assert r.status_code == 200 and r.json()["reference"] == "tiny@2" and r.json()["scenario"]["id"] == "tiny"


def test_upload_limits_and_bad_files(make_client, editor_form):
    c = make_client(max_upload=1000)
    _form, hx = editor_form(c)
    big = b"x" * 5000
    r = c.post("/ui/upload", files={"file": ("big.yaml", big)}, headers=hx)
    assert r.status_code == 413 and "limit" in r.text
    r = c.post(
        "/api/forecast", content=b"{" + b" " * 200_000 + b"}", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 413 and "too large" in r.json()["error"]
    r = c.post("/ui/upload", files={"file": ("evil.exe", b"MZ")}, headers=hx)
    assert r.status_code == 415 and "unsupported file type .exe" in r.text
    assert r.headers["hx-retarget"] == "#messages"  # htmx puts the message in the message box
    r = c.post("/api/parse", json={"filename": "../../etc/passwd", "content_base64": "eDogMQ=="})
    assert r.status_code == 415 and "passwd" in r.json()["error"] and "/etc" not in r.json()["error"]
    r = c.post(
        "/api/parse", json={"filename": "bad.yaml", "content_base64": base64.b64encode(b"id: [1,\n").decode()}
    )
    assert r.status_code == 422 and "bad.yaml" in r.json()["error"] and "Traceback" not in r.text
    r = c.post(
        "/api/parse",
        json={
            "filename": "t.yaml",
            "content_base64": base64.b64encode(b"!!python/object:os.system x").decode(),
        },
    )
    assert r.status_code == 422


def test_errors_never_show_a_traceback(client, monkeypatch):
    from detente.web import service

    def boom(*a, **k):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(service, "run_forecast", boom)
    r = client.post("/api/forecast", json={"scenario": EMISSION})
    assert r.status_code == 500
    assert "internal error" in r.json()["error"] and "secret" not in r.text and "Traceback" not in r.text
    r = client.get("/s/nope@3", headers={"Accept": "text/html"})
    assert r.status_code == 404 and "not in the store" in r.text and "Traceback" not in r.text
    r = client.get("/scenario?ref=../../etc/passwd")
    assert r.status_code == 400 and "scenario reference" in r.json()["error"]
    r = client.post("/api/forecast", json={"scenario": EMISSION, "seed": "abc"})
    assert r.status_code == 422 and r.json()["error"].startswith("seed")


def test_assets_are_local_and_licensed(client):
    page = client.get("/")
    assert "https://" not in page.text.split("<main>")[0] and "http://" not in page.text.split("<main>")[0]
    csp = page.headers["content-security-policy"]
    assert "connect-src 'self'" in csp and "default-src 'self'" in csp
    htmx = client.get("/static/htmx.min.js").text
    assert htmx.startswith("/*! htmx 2.0.11") and "Zero-Clause BSD" in htmx[:600]
    alpine = client.get("/static/alpine.min.js").text
    assert alpine.startswith("/*! Alpine.js 3.17.5") and "MIT" in alpine[:400]
    # plotly.js: the report's vendored basic bundle (MIT header inside; README.md + LICENSE beside it)
    from importlib import resources

    js = client.get("/static/plotly-basic.min.js")
    assert js.status_code == 200 and 1_000_000 < len(js.content) < 1_500_000
    static = resources.files("detente.report") / "static"
    assert js.content == (static / "plotly-basic.min.js").read_bytes() and b"MIT" in js.content[:400]
    assert (static / "LICENSE.plotly.js").is_file()
    assert client.get("/static/..%2F..%2Fapp.py").status_code == 404
    assert client.get("/static/app.py").status_code == 404


@pytest.mark.parametrize(
    ("fmt", "ext"),
    [
        ("yaml", ".yaml"),
        ("json", ".json"),
        ("csv", ".csv"),
        ("xlsx", ".xlsx"),
        ("ktab-csv", ".ktab"),
        ("decide", ".txt"),
    ],
)
def test_upload_every_listed_format(client, editor_form, tmp_path, fmt, ext):
    from detente.io.builtin import load_builtin
    from detente.io.files import write_scenario

    sc = load_builtin("emission-standards-1994")
    path = write_scenario(sc, tmp_path / f"in{ext}", format=fmt)
    _form, hx = editor_form(client)
    r = client.post("/ui/upload", files={"file": (f"talks{ext}", path.read_bytes())}, headers=hx)
    assert r.status_code == 204, r.text
    ref = r.headers["hx-redirect"].removeprefix("/s/")
    got = client.get(f"/api/scenarios/{ref}").json()["scenario"]
    assert sorted(a["id"] for a in got["actors"]) == sorted(sc.actor_ids) or len(got["actors"]) == len(
        sc.actors
    )
    assert len(got["stances"]) == len(sc.stances)


def test_user_text_is_escaped_everywhere(client, editor_form):
    evil = (
        'id: xss\ntitle: "<script>alert(1)</script>"\nactors:\n  - {id: a, name: "</script><script>alert(2)</script>"}\n'
        '  - {id: b}\nissues:\n  - {id: x, name: "<img src=x onerror=alert(3)>", scale: {low: 0, high: 10}}\n'
        "stances:\n  - {actor: a, issue: x, position: 2, salience: 0.5}\n  - {actor: b, issue: x, position: 8, salience: 0.9}\n"
    )
    r = client.post(
        "/api/parse",
        json={"filename": "x.yaml", "content_base64": base64.b64encode(evil.encode()).decode(), "save": True},
    )
    assert r.json()["reference"] == "xss@1"
    form, hx = editor_form(client, "xss@1")
    pages = [
        client.get("/s/xss@1").text,
        client.get("/").text,
        client.post("/ui/run", data=form, headers=hx).text,
        client.post(
            "/ui/whatif", data={**form, "wi_actor": "a", "wi_issue": "x", "wi_salience": "0.1"}, headers=hx
        ).text,
        client.get("/compare", params={"a": "xss@1", "b": "xss@1"}).text,
    ]
    for text in pages:
        for raw in ("<script>alert(1)", "</script><script>alert(2)", "<img src=x"):
            assert raw not in text
