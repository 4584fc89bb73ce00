"""Errors to Sentry when `SENTRY_DSN` is set (`pip install 'lectern[sentry]'`), with
personal data scrubbed before anything leaves: `send_default_pii` stays off, and
`before_send` masks tokens and addresses in every string of the event, drops cookies,
headers that carry credentials, request bodies and query strings, and the user's address."""

from __future__ import annotations

import importlib
import logging
from typing import Any

from django.conf import settings

from lectern.core.logmask import mask_path, mask_personal

logger = logging.getLogger(__name__)

SECRET_HEADERS = {"authorization", "cookie", "x-csrftoken", "proxy-authorization"}


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return mask_personal(value)
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def before_send(event: dict[str, Any], hint: Any = None) -> dict[str, Any]:
    """Remove or mask personal data in a Sentry event (also used for breadcrumbs' text)."""
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("cookies", None)
        request.pop("data", None)
        query = request.pop("query_string", "") or ""
        if isinstance(request.get("url"), str):
            request["url"] = mask_path(request["url"], query if isinstance(query, str) else "")
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                key: ("[masked]" if key.lower() in SECRET_HEADERS else value)
                for key, value in headers.items()
            }
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {key: value for key, value in user.items() if key == "id"}
    scrubbed: dict[str, Any] = _scrub(event)
    return scrubbed


def sentry_init() -> bool:
    """Start Sentry when a DSN is set and the SDK is installed; say so when it is not."""
    if not settings.SENTRY_DSN:
        return False
    try:
        sdk = importlib.import_module("sentry_sdk")
        django_integration = importlib.import_module("sentry_sdk.integrations.django")
    except ImportError:
        logger.warning(
            "SENTRY_DSN is set but sentry-sdk is not installed: pip install 'lectern[sentry]'"
        )
        return False
    sdk.init(
        dsn=settings.SENTRY_DSN,
        integrations=[django_integration.DjangoIntegration()],
        send_default_pii=False,
        include_local_variables=False,  # frames hold names and free text the scrubber cannot know
        before_send=before_send,
        before_breadcrumb=lambda crumb, hint: _scrub(crumb),
    )
    return True
