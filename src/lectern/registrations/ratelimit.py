"""Slow down registration-code guessing: failed attempts per client address and per event.

Attempts are rows in the shared database, so the limit holds across processes and machines.
Successful registrations are not counted.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest

from lectern.core.errors import RateLimited
from lectern.registrations.models import CodeAttempt


def client_address(request: HttpRequest) -> str:
    """The caller's address; behind `LECTERN_NUM_PROXIES` trusted proxies, from X-Forwarded-For."""
    proxies = settings.LECTERN["NUM_PROXIES"]
    if proxies:
        forwarded = [a.strip() for a in request.headers.get("X-Forwarded-For", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies][:64]
    return str(request.META.get("REMOTE_ADDR", "unknown"))[:64]


def _window() -> timedelta:
    return timedelta(seconds=settings.LECTERN["CODE_ATTEMPT_WINDOW_SECONDS"])


def code_attempts_check(*, client: str, event_id: int | None, now: datetime) -> None:
    """Refuse (429) while a client, or everyone on an event, has failed too often lately.

    One query reads the recent failures of both kinds: few rows, as no failure is recorded
    once a limit is reached."""
    window = _window()
    recent = CodeAttempt.objects.filter(
        Q(client=client) | Q(event_id=event_id), at__gt=now - window
    ).values_list("client", "event_id", "at")
    by_client, by_event = [], []
    for attempt_client, attempt_event, at in recent:
        if attempt_client == client:
            by_client.append(at)
        if attempt_event == event_id:
            by_event.append(at)
    for times, limit in (
        (by_client, settings.LECTERN["CODE_ATTEMPTS_PER_CLIENT"]),
        (by_event, settings.LECTERN["CODE_ATTEMPTS_PER_EVENT"]),
    ):
        if len(times) >= limit:
            oldest = min(times, default=now)
            retry_after = max(1, math.ceil((oldest + window - now).total_seconds()))
            raise RateLimited(
                "Too many wrong registration codes were tried. Check the code with your "
                f"coordinator and try again in {max(1, retry_after // 60)} minute(s).",
                retry_after=retry_after,
            )


def code_attempt_record(*, client: str, event_id: int | None, now: datetime) -> None:
    CodeAttempt.objects.create(client=client, event_id=event_id, at=now)


def code_attempts_forget(*, before: datetime) -> int:
    return CodeAttempt.objects.filter(at__lt=before).delete()[0]
