"""Wall-clock times in an event's zone, and the instants they name.

Staff enter local times; a local time that does not exist (the hour skipped when clocks go
forward) is refused, naming it; one that happens twice (clocks go back) is resolved to its
first occurrence and the choice is stated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.utils.dateformat import format as date_format
from django.utils.translation import get_language_info, gettext, pgettext

from lectern.core.errors import Invalid
from lectern.core.validators import date_problem

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def zone(name: str, field: str = "timezone") -> ZoneInfo:
    if name not in _zones():
        raise Invalid.field(
            field,
            gettext("%(name)s is not an IANA time zone (e.g. Europe/Berlin).")
            % {"name": repr(name)},
        )
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # pragma: no cover - listed but unloadable
        raise Invalid.field(
            field, gettext("%(name)s is not an IANA time zone.") % {"name": repr(name)}
        ) from None


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


# One way to write time, on pages and in emails alike: 24-hour, with weekday and date, in the
# active language (Django's translated day and month names), e.g. "Mon 5 Jul 2027, 20:00".
# The formats are Django date formats ("D j M Y"), themselves translated (`pgettext`):
# Spanish writes its month abbreviations in lower case ("lun 5 jul 2027").


def day_text(local: datetime) -> str:
    """`Mon 5 Jul 2027` (`lun 5 jul 2027` in Spanish): the date of a local time."""
    return date_format(local, pgettext("date format: weekday day month year", "D j M Y"))


def date_text(day: date) -> str:
    """`5 July 2027` (`5 de julio de 2027`): a date in words, such as a checkout deadline,
    kept as a date. Templates write the same with `|date:_("j F Y")`."""
    return date_format(day, gettext("j F Y"))


def moment_text(local: datetime) -> str:
    """`Mon 5 Jul 2027, 20:00 NZST`: one local time, with its zone's abbreviation."""
    return f"{day_text(local)}, {local:%H:%M} {local.tzname()}"


def span_text(local_start: datetime, local_end: datetime, with_day: bool = True) -> str:
    """A session in one zone: `Mon 5 Jul 2027, 09:00-17:00 CEST`, and when it crosses midnight
    both dates, `Mon 5 Jul 2027, 20:00 - Tue 6 Jul, 04:00 NZST` (the dashes are en dashes).
    Without `with_day`, the start's date is left out (a table shows it beside)."""
    zone_name = local_start.tzname() or ""
    start = f"{day_text(local_start)}, {local_start:%H:%M}" if with_day else f"{local_start:%H:%M}"
    if local_end.date() == local_start.date():
        text = f"{start}\u2013{local_end:%H:%M}"
    else:
        day = date_format(local_end, pgettext("date format: weekday day month", "D j M"))
        text = f"{start} \u2013 {day}, {local_end:%H:%M}"
    return f"{text} {zone_name}".strip() if with_day else text


def language_name(code: str) -> str:
    """A language by its name in the active language ("Spanish" / "español"), not its code;
    an unknown code is shown as given."""
    try:
        info = get_language_info(code)
    except KeyError:
        return code
    return gettext(info["name"]) if code else code
