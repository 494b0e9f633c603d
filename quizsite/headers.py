"""Security headers on every response.

- Content-Security-Policy: django-csp's middleware, from settings.CONTENT_SECURITY_POLICY (no inline script or
  style anywhere: pages load their code from /static/ and pass data in data-* attributes or json_script), with the
  WebSocket origin the pages are told to use (settings.WEBSOCKET_URL) added to connect-src. That origin can depend
  on the request: ":8001" means "this page's host name, port 8001", so it is built per request from the Host
  header, which Django has already checked against ALLOWED_HOSTS (a refused Host is never written into a policy).
- Permissions-Policy: no camera, microphone, location, payment or USB for any page; fullscreen for our own pages
  only (the exam page asks for it).
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.core.exceptions import DisallowedHost, ImproperlyConfigured
from django.http.request import split_domain_port

PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), fullscreen=(self)"

_PORT = re.compile(r":[0-9]{1,5}")
_NETLOC = re.compile(r"[a-z0-9.-]+(:[0-9]{1,5})?|\[[0-9a-f:.]+\](:[0-9]{1,5})?")


@lru_cache(maxsize=8)
def websocket_base(value: str) -> tuple[str, str]:
    """("", "") for the page's own origin, ("port", ":8001") for the page's host on another port, or ("origin",
    "wss://ws.school") for a socket host of its own. Anything else is a configuration error."""
    if not value:
        return "", ""
    if _PORT.fullmatch(value):
        return "port", value
    parts = urlsplit(value)
    if parts.scheme in ("ws", "wss") and _NETLOC.fullmatch(parts.netloc.lower()) and parts.path in ("", "/"):
        if not (parts.query or parts.fragment):
            return "origin", f"{parts.scheme}://{parts.netloc.lower()}"
    raise ImproperlyConfigured(
        f"WEBSOCKET_URL must be empty, a port (':8001') or a ws:// or wss:// origin, not {value!r}"
    )


def websocket_sources(request) -> list[str]:
    """The connect-src entries for the sockets this page opens (static/js/board.js and exam/live.js socketBase())."""
    kind, base = websocket_base(settings.WEBSOCKET_URL)
    if kind == "origin":
        return [base]
    try:
        host = request.get_host()
    except DisallowedHost:
        return []
    if kind == "port":
        host = split_domain_port(host)[0] + base
        if host == base:
            return []
    # The page picks ws: or wss: from its own scheme, which a proxy may hide from us (is_secure() needs its
    # X-Forwarded-Proto): name both; a browser never opens ws: from an https: page anyway.
    return [f"ws://{host}", f"wss://{host}"]


class SecurityHeadersMiddleware(CSPMiddleware):
    def __init__(self, get_response):
        super().__init__(get_response)
        websocket_base(settings.WEBSOCKET_URL)  # a bad WEBSOCKET_URL stops the server at start-up

    def process_response(self, request, response):
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only:
            update = dict(parts.update or {})
            update["connect-src"] = [*update.get("connect-src", ()), *websocket_sources(request)]
            parts.update = update
        return parts
