"""Safe by default: a token when the server listens beyond loopback, and forms that another
site cannot submit (cross-site request forgery) however the officer's browser is logged in.

CSRF: each browser gets a random token in a SameSite=Strict cookie and every form carries it in
a hidden field; a POST whose field does not match the cookie, or that the browser marks as
cross-site (``Sec-Fetch-Site``), is refused. A page on another site can neither read the cookie
nor make the browser send it.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from urllib.parse import urlencode

from starlette.datastructures import FormData
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

CSRF_COOKIE = "oit_csrf"
TOKEN_COOKIE = "oit_token"


class Forbidden(Exception):
    """A form that did not come from our own page."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def csrf_token(request: Request) -> str:
    return request.state.csrf


def check_form(request: Request, form: FormData) -> None:
    """Raise Forbidden unless the form carries this browser's token and came from our page."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise Forbidden("cross-site form")
    if not _same(str(form.get("csrf") or ""), request.cookies.get(CSRF_COOKIE)):
        raise Forbidden("missing or wrong CSRF token")


class Guard(BaseHTTPMiddleware):
    """Gives each browser its CSRF cookie; with a token, lets in only who presents it."""

    def __init__(self, app, token: str = "") -> None:  # type: ignore[no-untyped-def]
        super().__init__(app)
        self.token = token

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if self.token:
            given = request.query_params.get("token")
            if _same(given, self.token):  # once, from the link the server printed
                rest = {k: v for k, v in request.query_params.items() if k != "token"}
                target = request.url.path + (f"?{urlencode(rest)}" if rest else "")
                response: Response = RedirectResponse(target, status_code=303)
                response.set_cookie(TOKEN_COOKIE, self.token, httponly=True, samesite="strict")
                return response
            bearer = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            if not (
                _same(request.cookies.get(TOKEN_COOKIE), self.token) or _same(bearer, self.token)
            ):
                return PlainTextResponse(
                    "ต้องใช้รหัสเข้าใช้ (token required): open the link `oit serve` printed, "
                    "or send Authorization: Bearer TOKEN",
                    status_code=401,
                )
        cookie = request.cookies.get(CSRF_COOKIE)
        request.state.csrf = cookie or secrets.token_urlsafe(24)
        response = await call_next(request)
        if not cookie:
            response.set_cookie(CSRF_COOKIE, request.state.csrf, httponly=True, samesite="strict")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        return response
