"""Slow down registration-code guessing, per client address and per event.

The counters live in `lectern.core.ratelimit` (one atomic step each, in the shared database,
so limits hold across processes, machines and concurrent requests).

- Per client: every non-staff attempt takes a slot before the code is checked; a right code
  gives it back. So a client never gets more than `CODE_ATTEMPTS_PER_CLIENT` wrong-code
  answers in a window, however many requests it sends at once.
- Per event: failures at an event are counted for the event and for each client there.
  Once the event's count reaches `CODE_ATTEMPTS_PER_EVENT`, only clients that have failed at
  that event themselves are refused; a client that has not failed there is never refused a
  correct code because others guessed wrongly.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils.translation import gettext_noop

from lectern.core.ratelimit import (
    Limit,
    client_address,
    rate_add,
    rate_count,
    rate_give_back,
    rate_take,
)

__all__ = [
    "client_address",
    "code_attempt_begin",
    "code_attempt_failed",
    "code_attempt_succeeded",
]

MESSAGE = gettext_noop(
    "Too many wrong registration codes were tried. Check the code with your coordinator "
    "and try again in {wait}."
)


def _limit(scope: str, setting: str) -> Limit:
    return Limit(
        scope=scope,
        limit=settings.LECTERN[setting],
        window_seconds=settings.LECTERN["CODE_ATTEMPT_WINDOW_SECONDS"],
        message=MESSAGE,
    )


def per_client() -> Limit:
    return _limit("code_client", "CODE_ATTEMPTS_PER_CLIENT")


def per_event() -> Limit:
    return _limit("code_event", "CODE_ATTEMPTS_PER_EVENT")


def per_event_client() -> Limit:
    """A client's failures at one event: who the per-event limit applies to."""
    return _limit("code_event_client", "CODE_ATTEMPTS_PER_EVENT")


def code_attempt_begin(*, client: str, event_id: int, now: datetime) -> None:
    """Take the client's slot for this attempt; refuse (429) when the client is over its own
    limit, or has failed at this event and the event is over its limit."""
    rate_take(limit=per_client(), key=client, now=now)
    event = per_event()
    if rate_count(limit=event, key=str(event_id), now=now) >= event.limit and rate_count(
        limit=per_event_client(), key=f"{event_id}:{client}", now=now
    ):
        raise event.refusal(now)


def code_attempt_succeeded(*, client: str, now: datetime) -> None:
    """A right code: the attempt's slot is given back."""
    rate_give_back(limit=per_client(), key=client, now=now)


def code_attempt_failed(*, client: str, event_id: int, now: datetime) -> None:
    """A wrong code: count it against the event (the client's slot stays taken)."""
    rate_add(limit=per_event(), key=str(event_id), now=now)
    rate_add(limit=per_event_client(), key=f"{event_id}:{client}", now=now)
