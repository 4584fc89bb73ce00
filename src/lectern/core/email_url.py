"""Translate `EMAIL_URL` into Django email settings.

Accepted forms: `console:`, `file:///absolute/dir` (one `.eml` file per message), `smtp://[user:pass@]host:port`,
`smtps://...` (implicit TLS), `smtp+tls://...` (STARTTLS), `locmem:` (tests).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured


def email_settings_from_url(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "file":
        path = unquote(parts.path)
        if not path:
            raise ImproperlyConfigured(f"EMAIL_URL {url!r} names no folder.")
        return {
            "EMAIL_BACKEND": "lectern.core.mailfiles.EmlFileBackend",
            "EMAIL_FILE_PATH": path,
        }
    if scheme in {"smtp", "smtps", "smtp+tls"}:
        if not parts.hostname:
            raise ImproperlyConfigured(f"EMAIL_URL {url!r} names no host.")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": parts.port or (465 if scheme == "smtps" else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": scheme == "smtps",
            "EMAIL_USE_TLS": scheme == "smtp+tls",
        }
    raise ImproperlyConfigured(
        f"EMAIL_URL {url!r} is not understood: use console:, file:///dir or smtp://host:port."
    )
