"""Every rate limit, counted and decided in one atomic step.

A limit is a number of actions per fixed window (`Limit`), counted per bucket (an address, a
client, an event). `rate_take` adds one to the window's counter and reads the new count in a
single statement:

    INSERT ... ON CONFLICT (scope, bucket, window_start)
    DO UPDATE SET count = count + 1 RETURNING count

and refuses (`RateLimited`, 429 with Retry-After until the window ends) when the count it
got is over the limit. Two callers can therefore never both see "one left":
- PostgreSQL: the upsert locks the counter row until the caller's transaction ends; a
  concurrent upsert waits, then increments the committed value.
- SQLite: the immediate transaction (settings) serializes writers; outside a transaction
  the statement is atomic by itself.

Callers that count only failures (registration codes) read the count with the rest of what
they read first (`count_sql`), and take a slot only for a failure, in the same transaction
as that read (see `registrations.ratelimit`).

Windows are fixed (aligned on the epoch), so at a window's edge a caller may act up to twice
the limit within one window's length; the counts never exceed the limit within a window.

`lectern.core.locking.unguarded()` makes `rate_take` read then write in two statements: the
concurrency tests' controls use it to show that the race is real.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_noop, ngettext

from lectern.core import locking
from lectern.core.errors import RateLimited
from lectern.core.models import RateCount

# One statement: count and read the count (PostgreSQL and SQLite >= 3.35 alike).
UPSERT = (
    "INSERT INTO core_ratecount (scope, bucket, window_start, count) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (scope, bucket, window_start) "
    "DO UPDATE SET count = core_ratecount.count + excluded.count RETURNING count"
)


@dataclass(frozen=True)
class Limit:
    """`limit` actions per `window_seconds`; `message` is what people are told, with
    `{wait}` filled in with the wait ("1 minute", "7 minutes")."""

    scope: str
    limit: int
    window_seconds: int
    message: str

    def window_start(self, now: datetime) -> datetime:
        seconds = int(now.timestamp()) // self.window_seconds * self.window_seconds
        return datetime.fromtimestamp(seconds, tz=UTC)

    def refusal(self, now: datetime) -> RateLimited:
        end = self.window_start(now) + timedelta(seconds=self.window_seconds)
        retry_after = max(1, math.ceil((end - now).total_seconds()))
        minutes = max(1, math.ceil(retry_after / 60))
        wait = ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
        return RateLimited(
            gettext(self.message).format(minutes=minutes, wait=wait), retry_after=retry_after
        )


def bucket_of(value: str) -> str:
    """What a counter is kept under: a digest, so no address is stored in clear."""
    return hashlib.sha256(value.encode()).hexdigest()


def rate_take(*, limit: Limit, key: str, now: datetime) -> int:
    """Count one action and return the count; refuse (429) if it is over the limit."""
    count = _add(limit, key, now, 1)
    if count > limit.limit:
        raise limit.refusal(now)
    return count


def rate_add(*, limit: Limit, key: str, now: datetime) -> int:
    """Count one action without deciding anything (a failure recorded after the fact)."""
    return _add(limit, key, now, 1)


def rate_count(*, limit: Limit, key: str, now: datetime) -> int:
    """The count in the current window."""
    row = (
        RateCount.objects.filter(
            scope=limit.scope, bucket=bucket_of(key), window_start=limit.window_start(now)
        )
        .values_list("count", flat=True)
        .first()
    )
    return int(row or 0)


def count_sql(*, limit: Limit, key: str, now: datetime) -> tuple[str, list[Any]]:
    """The count in the current window as a scalar subquery (NULL when nothing was counted),
    to read with other things in one statement; with its parameters."""
    start = connection.ops.adapt_datetimefield_value(limit.window_start(now))
    return (
        "(SELECT count FROM core_ratecount WHERE scope = %s AND bucket = %s AND window_start = %s)",
        [limit.scope, bucket_of(key), start],
    )


def rate_counts_forget(*, before: datetime) -> int:
    """Delete the counters of windows that began before `before`."""
    return RateCount.objects.filter(window_start__lt=before).delete()[0]


def _add(limit: Limit, key: str, now: datetime, n: int) -> int:
    bucket, start = bucket_of(key), limit.window_start(now)
    if not locking.guarded():
        # The concurrency tests' control: read, then write, as a naive counter would.
        current = rate_count(limit=limit, key=key, now=now)
        RateCount.objects.update_or_create(
            scope=limit.scope,
            bucket=bucket,
            window_start=start,
            defaults={"count": current + n},
        )
        return current + n
    with connection.cursor() as cursor:
        cursor.execute(
            UPSERT, [limit.scope, bucket, connection.ops.adapt_datetimefield_value(start), n]
        )
        row = cursor.fetchone()
    return int(row[0])


def client_address(request: HttpRequest) -> str:
    """The caller's address; behind `LECTERN_NUM_PROXIES` trusted proxies, from X-Forwarded-For."""
    proxies = settings.LECTERN["NUM_PROXIES"]
    if proxies:
        header = str(request.headers.get("X-Forwarded-For", ""))
        forwarded = [a.strip() for a in header.split(",") if a.strip()]
        if len(forwarded) >= proxies:
            return str(forwarded[-proxies])[:64]
    return str(request.META.get("REMOTE_ADDR", "unknown"))[:64]


def verify_limit() -> Limit:
    """Certificate verification per client (`/verify/<number>/`, `GET /verify/{number}`):
    numbers are not secret, but walking through them is slowed down."""
    return Limit(
        scope="verify_client",
        limit=settings.LECTERN["VERIFY_PER_CLIENT_PER_MINUTE"],
        window_seconds=60,
        message=gettext_noop(
            "Too many certificates were looked up from your connection. Try again in {wait}."
        ),
    )
