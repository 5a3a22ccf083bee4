"""Access code, same-origin check and safe download headers for the web page."""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from urllib.parse import quote

COOKIE = "xl_tools_code"
HEADER = "x-access-code"
QUERY = "code"


def new_code() -> str:
    """A random access code that is easy to read out over the phone (no 0/O, 1/l)."""
    alphabet = "23456789abcdefghjkmnpqrstuvwxyz"
    return "".join(secrets.choice(alphabet) for _ in range(10))


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def code_matches(given: str | None, expected: str) -> bool:
    """Constant-time comparison of the code a request carries with the server's."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def request_code(request) -> str | None:
    """The access code a request carries: header, then cookie, then ``?code=``."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return (request.headers.get(HEADER) or request.cookies.get(COOKIE)
            or request.query_params.get(QUERY))


def cross_site(request) -> bool:
    """True when a browser sent this state-changing request from another site's page (CSRF)."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        return origin == "null"
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1].rstrip("/") != host


def _ascii_fallback(name: str) -> str:
    """The plain ``filename=`` for old clients: ASCII only; ``download.xlsx`` when nothing readable is left."""
    out = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;%' else "_" for ch in name)
    stem, dot, ext = out.rpartition(".")
    if not dot:
        stem, ext = out, ""
    if not stem.replace("_", "").replace(".", "").strip():
        stem = "download"
    return f"{stem}.{ext}" if ext else stem


def content_disposition(name: str, *, inline: bool = False) -> str:
    """An RFC 6266 / RFC 5987 header value for ``name`` (Chinese names via ``filename*``; no header injection)."""
    clean = "".join(ch for ch in name if ch not in "\r\n\x00") or "download"
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{_ascii_fallback(clean)}\"; filename*=UTF-8''{quote(clean, safe='')}"
