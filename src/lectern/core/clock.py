"""The one clock. Services take `now: datetime | None = None` and fall back to this."""

from __future__ import annotations

from datetime import UTC, datetime


def now() -> datetime:
    """Return the current instant, timezone-aware in UTC."""
    return datetime.now(tz=UTC)


def resolve(value: datetime | None) -> datetime:
    """Return `value` if a caller fixed the time, else the clock's now."""
    return value if value is not None else now()
