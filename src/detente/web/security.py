"""Security middleware (pure ASGI): access token, Host check, CSRF, body size limit, headers.

* **Token**: when the app has a token, every request must carry it (except an expert's questionnaire,
  :data:`SEAT_PATHS`, which its own seat token opens): ``Authorization: Bearer T``,
  ``X-Detente-Token: T`` or the ``detente_token`` cookie, which ``GET /login?token=T`` (or any
  GET with ``?token=T``) sets (HttpOnly, SameSite=Strict) before redirecting to the clean URL.
* **Host**: without a token the server only answers requests addressed to a loopback name
  (127.0.0.1, localhost, ::1), which defeats DNS-rebinding attacks on a local server.
* **CSRF**: every unsafe request (POST, PUT, PATCH, DELETE) must, if it has an ``Origin``
  header, come from the same origin; and unless its body is JSON (which a cross-site page cannot
  send without a CORS preflight that this app never grants) it must carry the double-submit
  token: header ``X-CSRF-Token`` (htmx sends it) or form field ``csrf_token`` equal to the
  ``detente_csrf`` cookie (SameSite=Strict).
* **Size**: request bodies above ``max_body`` bytes get 413 with a one-line message.
* **Headers**: a Content-Security-Policy that allows no connection, script, style, font or
  image from anywhere but the app itself (so no request leaves the app), no framing, no referrer.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CSRF_COOKIE = "detente_csrf"
TOKEN_COOKIE = "detente_token"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


class BodyTooLarge(Exception):
    pass


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:
        return {}
    return {k: m.value for k, m in jar.items()}


def _host_name(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


async def _reply(
    send: Send, status: int, message: str, scope: Scope, extra: list[tuple[bytes, bytes]] | None = None
) -> None:
    hdrs = _headers(scope)
    wants_html = "text/html" in hdrs.get("accept", "") and "hx-request" not in hdrs
    if wants_html:
        from html import escape

        body = (
            "<!doctype html><meta charset=utf-8><title>detente: error</title>"
            f"<p style='font-family:sans-serif'><b>Error {status}:</b> {escape(message)}</p>"
        ).encode()
        ctype = b"text/html; charset=utf-8"
    elif "hx-request" in hdrs:
        from html import escape

        body = f'<div class="error" role="alert">{escape(message)}</div>'.encode()
        ctype = b"text/html; charset=utf-8"
    else:
        body = json.dumps({"error": message, "status": status}).encode()
        ctype = b"application/json"
    headers = [(b"content-type", ctype), (b"content-length", str(len(body)).encode()), *SECURITY_HEADERS]
    headers += extra or []
    if "hx-request" in hdrs:
        # let htmx swap the error message in place of the result (htmx ignores 4xx bodies otherwise)
        headers.append((b"hx-retarget", b"#messages"))
        headers.append((b"hx-reswap", b"innerHTML"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


SEAT_PATHS = ("/expert", "/static/expert.js", "/static/app.css")
"""Paths an expert's questionnaire link opens without the app's token: the questionnaire page and the
two static files it loads; its API (``/api/expert/``) requires the seat's own token (``X-Expert-Token``)."""


def _opened_by_seat(path: str) -> bool:
    return path in SEAT_PATHS or path.startswith("/api/expert/")


class SecurityMiddleware:
    """See the module docstring. ``token=None`` = local-only mode."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        token: str | None = None,
        max_body: int = 10 * 2**20,
        allowed_hosts: tuple[str, ...] | None = None,
        secure_cookies: bool = False,
    ) -> None:
        self.app = app
        self.token = token or None
        self.max_body = int(max_body)
        self.allowed_hosts = tuple(h.lower() for h in (allowed_hosts or LOCAL_HOSTS))
        self.secure = secure_cookies

    def _cookie(self, name: str, value: str, *, http_only: bool) -> tuple[bytes, bytes]:
        parts = [f"{name}={value}", "Path=/", "SameSite=Strict"]
        if http_only:
            parts.append("HttpOnly")
        if self.secure:
            parts.append("Secure")
        return (b"set-cookie", "; ".join(parts).encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        cookies = _cookies(headers)
        method = scope.get("method", "GET").upper()
        if self.token is None and await self._refuse_host(scope, send, headers):
            return
        if (
            self.token is not None
            and not _opened_by_seat(scope.get("path", ""))
            and await self._refuse_token(self.token, scope, send, headers, cookies, method)
        ):
            return
        length = headers.get("content-length")
        if await self._refuse_size(scope, send, length):
            return
        body_cache: list[Message] | None = None
        if method not in SAFE_METHODS:
            refused, body_cache = await self._refuse_cross_site(scope, receive, send, headers, cookies)
            if refused:
                return

        # -- call the app: count body bytes, add headers and the CSRF cookie ---------------------
        new_csrf = None if cookies.get(CSRF_COOKIE) else secrets.token_urlsafe(24)
        if new_csrf is not None:
            scope.setdefault("state", {})["csrf_token"] = new_csrf
        else:
            scope.setdefault("state", {})["csrf_token"] = cookies[CSRF_COOKIE]
        if body_cache is None and method not in SAFE_METHODS and length is None:
            # chunked body without a length: read it (bounded) before the app sees it
            try:
                body_cache, _raw = await self._read_body(receive)
            except BodyTooLarge:
                await _reply(
                    send,
                    413,
                    f"request too large (the limit is {self.max_body:,} bytes, {self.max_body / 2**20:g} MB)",
                    scope,
                )
                return

        async def cached_receive() -> Message:
            if body_cache:
                return body_cache.pop(0)
            return await receive()

        async def send_wrapper(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                hdrs = list(msg.get("headers", []))
                names = {k.lower() for k, _ in hdrs}
                hdrs += [h for h in SECURITY_HEADERS if h[0] not in names]
                if new_csrf is not None:
                    hdrs.append(self._cookie(CSRF_COOKIE, new_csrf, http_only=True))
                msg["headers"] = hdrs
            await send(msg)

        await self.app(scope, cached_receive, send_wrapper)

    async def _refuse_host(self, scope: Scope, send: Send, headers: dict[str, str]) -> bool:
        """Without a token, only loopback names are answered (DNS rebinding); True when refused."""
        host = _host_name(headers.get("host", ""))
        if host not in self.allowed_hosts:
            await _reply(
                send,
                421,
                f"this server only answers on {', '.join(self.allowed_hosts)} (start it with "
                "--token to serve other hosts)",
                scope,
            )
            return True
        return False

    async def _refuse_token(
        self,
        token: str,
        scope: Scope,
        send: Send,
        headers: dict[str, str],
        cookies: dict[str, str],
        method: str,
    ) -> bool:
        """The access token, from a header or the cookie; ``?token=T`` on a GET sets the cookie and
        redirects to the clean URL. True when answered here (refused or redirected)."""
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        given_q = query.get("token")
        if method in SAFE_METHODS and given_q is not None:
            if hmac.compare_digest(given_q.encode(), token.encode()):
                rest = urlencode(
                    [(k, v) for k, v in parse_qsl(scope.get("query_string", b"").decode()) if k != "token"]
                )
                path = scope.get("path", "/")
                if path == "/login":
                    path = "/"
                location = path + ("?" + rest if rest else "")
                await send(
                    {
                        "type": "http.response.start",
                        "status": 303,
                        "headers": [
                            (b"location", location.encode()),
                            self._cookie(TOKEN_COOKIE, token, http_only=True),
                            (b"content-length", b"0"),
                            *SECURITY_HEADERS,
                        ],
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return True
            await _reply(send, 401, "wrong access token", scope)
            return True
        auth = headers.get("authorization", "")
        given = (
            auth[7:].strip() if auth.lower().startswith("bearer ") else headers.get("x-detente-token")
        ) or cookies.get(TOKEN_COOKIE, "")
        if not given or not hmac.compare_digest(given.encode(), token.encode()):
            await _reply(
                send,
                401,
                "access token required: open the URL with ?token=... or send 'Authorization: Bearer <token>'",
                scope,
            )
            return True
        return False

    async def _refuse_size(self, scope: Scope, send: Send, length: str | None) -> bool:
        """A body over ``max_body`` (by its Content-Length) gets 413."""
        if length is not None:
            try:
                too_big = int(length) > self.max_body
            except ValueError:
                await _reply(send, 400, "bad Content-Length header", scope)
                return True
            if too_big:
                await _reply(
                    send,
                    413,
                    f"request too large: {int(length):,} bytes (the limit is {self.max_body:,} "
                    f"bytes, {self.max_body / 2**20:g} MB)",
                    scope,
                )
                return True
        return False

    async def _refuse_cross_site(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str], cookies: dict[str, str]
    ) -> tuple[bool, list[Message] | None]:
        """An unsafe request: its Origin must be ours and, unless its body is JSON, it must carry the
        CSRF token. (True, _) when refused; else (False, the body messages read to find the token or None)."""
        body_cache: list[Message] | None = None
        origin = headers.get("origin")
        if origin is not None and origin != "null":
            scheme = scope.get("scheme", "http")
            if origin.rstrip("/").lower() != f"{scheme}://{headers.get('host', '')}".lower():
                await _reply(
                    send, 403, "cross-site request refused (Origin does not match this server)", scope
                )
                return True, None
        if headers.get("sec-fetch-site") == "cross-site":
            await _reply(send, 403, "cross-site request refused (Sec-Fetch-Site: cross-site)", scope)
            return True, None
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        # Chromium sends ``Origin: null`` with a same-origin form post when the page's referrer policy
        # is no-referrer (ours is): such a form is let through to the CSRF token check below, which
        # a cross-site page cannot pass; a JSON body, which needs no CSRF token, must have a real Origin
        if origin == "null" and ctype == "application/json":
            await _reply(send, 403, "cross-site request refused (Origin: null)", scope)
            return True, None
        if ctype != "application/json":
            expected = cookies.get(CSRF_COOKIE, "")
            given = headers.get("x-csrf-token", "")
            if not given and ctype == "application/x-www-form-urlencoded":
                try:
                    body_cache, raw = await self._read_body(receive)
                except BodyTooLarge:
                    await _reply(
                        send, 413, f"request too large (the limit is {self.max_body:,} bytes)", scope
                    )
                    return True, None
                given = dict(parse_qsl(raw.decode("latin-1"))).get("csrf_token", "")
            if not expected or not given or not hmac.compare_digest(given.encode(), expected.encode()):
                await _reply(
                    send,
                    403,
                    "form expired or sent from another site (CSRF token missing or wrong): "
                    "reload the page and try again",
                    scope,
                )
                return True, None
        return False, body_cache

    async def _read_body(self, receive: Receive) -> tuple[list[Message], bytes]:
        chunks: list[bytes] = []
        total = 0
        msgs: list[Message] = []
        while True:
            msg = await receive()
            msgs.append(msg)
            if msg["type"] != "http.request":
                break
            b = msg.get("body", b"")
            total += len(b)
            if total > self.max_body:
                raise BodyTooLarge
            chunks.append(b)
            if not msg.get("more_body", False):
                break
        return msgs, b"".join(chunks)
