"""Wall-clock times in an event's zone, and the instants they name.

Staff enter local times; a local time that does not exist (the hour skipped when clocks go
forward) is refused, naming it; one that happens twice (clocks go back) is resolved to its
first occurrence and the choice is stated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from lectern.core.errors import Invalid
from lectern.core.validators import date_problem

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def zone(name: str, field: str = "timezone") -> ZoneInfo:
    if name not in _zones():
        raise Invalid.field(field, f"{name!r} is not an IANA time zone (e.g. Europe/Berlin).")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # pragma: no cover - listed but unloadable
        raise Invalid.field(field, f"{name!r} is not an IANA time zone.") from None


_ZONES: frozenset[str] | None = None


def known_zones() -> frozenset[str]:
    """Every IANA zone name this machine knows (read once)."""
    return _zones()


def _zones() -> frozenset[str]:
    global _ZONES
    if _ZONES is None:
        _ZONES = frozenset(available_timezones())
    return _ZONES


def parse_local(text: str, field: str) -> datetime:
    """Parse `YYYY-MM-DDTHH:MM` (a space instead of the T is accepted) as a naive time, on a
    day within the dates every caller accepts (`core.validators`)."""
    try:
        value = datetime.strptime(text.strip().replace(" ", "T", 1), LOCAL_FORMAT)  # noqa: DTZ007
    except ValueError:
        raise Invalid.field(field, f"{text!r} is not a local time like 2027-03-04T09:00.") from None
    problem = date_problem(value.date())
    if problem:
        raise Invalid.field(field, problem)
    return value


def offset_label(instant: datetime) -> str:
    """`UTC+05:30`, `UTC\u221204:00` (a real minus sign), `UTC` for zero."""
    offset = instant.utcoffset()
    assert offset is not None
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "\u2212"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{mins:02d}"


@dataclass(frozen=True)
class Resolved:
    instant: datetime  # aware, UTC
    note: str | None  # why this instant, when the local time was ambiguous


def to_instant(local: datetime, tz: ZoneInfo, field: str) -> Resolved:
    """Return the UTC instant a local wall-clock time names in `tz`."""
    first = local.replace(tzinfo=tz, fold=0)
    second = local.replace(tzinfo=tz, fold=1)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != local:
        raise Invalid.field(
            field,
            f"{local:%Y-%m-%d %H:%M} does not exist in {tz.key}: the clocks skip that time "
            "when daylight saving starts. Choose a time outside the gap.",
        )
    note = None
    if first.utcoffset() != second.utcoffset():
        note = (
            f"{local:%Y-%m-%d %H:%M} happens twice in {tz.key} when the clocks go back; "
            f"the first one was used ({first.tzname()}, {offset_label(first)})."
        )
    return Resolved(first.astimezone(UTC), note)


def is_ambiguous(instant: datetime, tz: ZoneInfo) -> bool:
    local = instant.astimezone(tz).replace(tzinfo=None)
    return (
        local.replace(tzinfo=tz, fold=0).utcoffset() != local.replace(tzinfo=tz, fold=1).utcoffset()
    )
