"""Who may talk to ``valgus serve``: loopback by default, a token otherwise.

Why each rule:

- A clip of an athlete is health-related personal data. The server listens on
  loopback unless told otherwise, and refuses any other address without a token.
- With a token, every request must carry it: an ``Authorization: Bearer`` or
  ``X-Valgus-Token`` header (scripts), or a cookie that ``?token=`` sets once
  (the link the server prints for the browser). The query form is redirected away
  at once so the token does not linger in the address bar or history.
- Without a token (loopback only) the Host header must name the loopback, which
  stops DNS-rebinding pages from reading the API through the coach's browser, and
  a write whose Origin is another site is refused (cross-site form posts).
- Every answer carries nosniff, no-referrer and a same-origin-only content policy.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse, RedirectResponse, Response

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "valgus_token"
MIN_TOKEN_CHARS = 16
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; media-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'self'; form-action 'self'"
)


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    host = host.strip("[]")
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """ValueError unless binding ``host`` with ``token`` is safe (see the module docstring)."""
    if token is not None and len(token) < MIN_TOKEN_CHARS:
        raise ValueError(f"--token must have at least {MIN_TOKEN_CHARS} characters")
    if token is None and not is_loopback(host):
        raise ValueError(
            f"refusing to listen on {host} without --token: anyone who can reach it could "
            "upload and watch clips (use --host 127.0.0.1, or set --token)"
        )


def _host_name(value: str) -> str:
    """The host of a Host header or Origin, without port or brackets."""
    netloc = urlsplit(value if "//" in value else f"//{value}").hostname
    return (netloc or "").lower()


class Guard:
    """ASGI middleware applying the rules of this module to every HTTP request."""

    def __init__(self, app: ASGIApp, *, token: str | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await _with_policy(refusal)(scope, receive, send)
            return

        async def send_with_policy(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                _add_policy(MutableHeaders(scope=message))
            await send(message)

        await self.app(scope, receive, send_with_policy)

    def _refusal(self, scope: Scope, headers: Headers) -> Response | None:
        """The answer that refuses this request, or None to let it through."""
        if self.token is None:
            if not is_loopback(_host_name(headers.get("host", ""))):
                return JSONResponse({"detail": "unknown Host for a loopback server"}, 421)
        else:
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            if scope["method"] in ("GET", "HEAD") and self._matches(query.get("token")):
                return self._set_cookie(scope, query)
            if not self._authorised(headers):
                return JSONResponse(
                    {"detail": "this server needs its token: open the link it printed"}, 401
                )
        origin, host = headers.get("origin"), headers.get("host", "")
        cross_site = origin is not None and _host_name(origin) != _host_name(host)
        if scope["method"] not in SAFE_METHODS and cross_site:
            return JSONResponse({"detail": "cross-site request refused"}, 403)
        return None

    def _matches(self, candidate: str | None) -> bool:
        if candidate is None or self.token is None:
            return False
        return hmac.compare_digest(candidate.encode(), self.token.encode())

    def _authorised(self, headers: Headers) -> bool:
        bearer = headers.get("authorization", "")
        if bearer.lower().startswith("bearer ") and self._matches(bearer[7:].strip()):
            return True
        if self._matches(headers.get("x-valgus-token")):
            return True
        cookies = headers.get("cookie", "")
        for part in cookies.split(";"):
            name, _, value = part.strip().partition("=")
            if name == COOKIE and self._matches(value):
                return True
        return False

    def _set_cookie(self, scope: Scope, query: dict[str, str]) -> Response:
        """Answer ``?token=`` with a cookie and a redirect to the same URL without it."""
        query.pop("token", None)
        target = scope.get("path", "/") + (f"?{urlencode(query)}" if query else "")
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(COOKIE, self.token or "", httponly=True, samesite="strict")
        return response


def _add_policy(headers: MutableHeaders) -> None:
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
    headers.setdefault("Content-Security-Policy", PAGE_POLICY)


def _with_policy(response: Response) -> Response:
    _add_policy(response.headers)
    return response
