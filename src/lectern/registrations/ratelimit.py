"""Slow down registration-code guessing, per client address and per event.

The counters live in `lectern.core.ratelimit` (in the shared database, so limits hold across
processes and machines). Only failures are counted; an attempt reads the counts with the
code itself, in the first statement of its transaction (`code_attempt_counts`):

- Per client: a wrong code takes a slot (one upsert that counts and returns the count, in
  the transaction that read the code, which then commits); once the client's count has
  reached `CODE_ATTEMPTS_PER_CLIENT`, every attempt of the client is refused until the
  window ends, the right code as well (else a 429 would say "wrong"). A right code never
  writes a counter. So a client gets exactly the limit of `unknown_code` answers in a
  window, however many requests it sends at once, and a right code is let through only
  while fewer wrong ones were counted before it.
- Per event: failures at an event are counted for the event and for each client there.
  Once the event's count reaches `CODE_ATTEMPTS_PER_EVENT`, only clients that have failed at
  that event themselves are refused; a client that has not failed there is never refused a
  correct code because others guessed wrongly. The per-event count is read, not reserved,
  so concurrent failing clients may pass it by the number in flight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_noop

from lectern.core.errors import RateLimited
from lectern.core.ratelimit import Limit, client_address, count_sql, rate_add, rate_take

__all__ = [
    "Failures",
    "client_address",
    "code_attempt_counts",
    "code_attempt_failed",
    "code_attempt_refused",
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


@dataclass(frozen=True)
class Failures:
    """The wrong codes counted in the current windows: the client's, the event's, and the
    client's at the event."""

    client: int
    event: int
    event_client: int


def code_attempt_counts(*, client: str, event_id: int, now: datetime) -> tuple[str, list[Any]]:
    """The three counts of `Failures` as scalar subqueries, to read with the code."""
    parts = [
        count_sql(limit=per_client(), key=client, now=now),
        count_sql(limit=per_event(), key=str(event_id), now=now),
        count_sql(limit=per_event_client(), key=f"{event_id}:{client}", now=now),
    ]
    return ", ".join(sql for sql, _ in parts), [p for _, params in parts for p in params]


def code_attempt_refused(failures: Failures, now: datetime) -> RateLimited | None:
    """Whether a right code is refused: the client reached its limit, or failed at this event
    once the event reached its own."""
    client, event = per_client(), per_event()
    if failures.client >= client.limit:
        return client.refusal(now)
    if failures.event >= event.limit and failures.event_client:
        return event.refusal(now)
    return None


def code_attempt_failed(
    *, client: str, event_id: int, failures: Failures, now: datetime
) -> RateLimited | None:
    """Count a wrong code: the client's slot first (refused past the limit, which the count it
    gets back decides, so concurrent attempts cannot share the last slot); then, unless the
    event's limit refuses the client, the failure at the event. None: say `unknown_code`.
    The caller's transaction must commit what this counts."""
    try:
        rate_take(limit=per_client(), key=client, now=now)
    except RateLimited as refusal:
        return refusal
    event = per_event()
    if failures.event >= event.limit and failures.event_client:
        return event.refusal(now)
    rate_add(limit=event, key=str(event_id), now=now)
    rate_add(limit=per_event_client(), key=f"{event_id}:{client}", now=now)
    return None
