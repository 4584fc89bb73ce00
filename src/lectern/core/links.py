"""Web links people give us (evidence of activities) and how they are shown.

A link is an http(s) address with a host; anything else (`javascript:`, `data:`, a bare path)
is refused when stored and never rendered as a link. A GitHub path is compared after the
browser would have resolved it: percent-decoded and with `.`/`..` segments removed, so that
`github.com/carpentries/../evil` is `github.com/evil`.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

WEB_SCHEMES = ("http", "https")


def web_link(url: str) -> str | None:
    """The address if it is an http(s) link with a host, else None."""
    url = url.strip()
    if not url or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in WEB_SCHEMES or not host:
        return None
    return url


def resolved_path(path: str) -> list[str]:
    """The path's segments as a browser resolves them: `\\` as `/` (as browsers do in http
    URLs), percent-decoded, `.` dropped and `..` removing the segment before it."""
    segments: list[str] = []
    for raw in path.replace("\\", "/").split("/"):
        segment = unquote(raw)
        if segment in ("", "."):
            continue
        if segment == "..":
            if segments:
                segments.pop()
            continue
        segments.append(segment)
    return segments


def github_repository(url: str) -> tuple[str, str] | None:
    """(organisation, repository), lower-cased, of a github.com repository link, else None."""
    if web_link(url) is None:
        return None
    parts = urlsplit(url.strip())
    if (parts.hostname or "").lower() not in ("github.com", "www.github.com"):
        return None
    if parts.username or parts.password or parts.port not in (None, 443, 80):
        return None
    segments = resolved_path(parts.path)
    if len(segments) < 2 or any("/" in s or "\\" in s for s in segments):
        return None
    return segments[0].lower(), segments[1].lower()


def back_to(request: HttpRequest, value: str, fallback: str) -> str:
    """Where a page asked to go back to (`next`), if it is on this site; else `fallback` (a
    URL or a URL name for `redirect`)."""
    if value and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return value
    return fallback
