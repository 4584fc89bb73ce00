"""Every "N days before/after" rule of the programme, each defined once.

A deadline is counted in calendar days in the event's zone, at the same local time as its
anchor: 09:00 on the Monday after New York's March change closes at 09:00 local the Monday
before (not 08:00). A local time in a gap means the first instant after the gap; one that
happens twice means its first occurrence. Each definition gives:

- `at(event)`: the instant, in UTC, for one event;
- `q(...)`: the queryset filter from the same definition. The instants are stored on the
  event (`Event.<column>`, written by `events.services` whenever sessions or the zone change,
  through `stored_instants`), because local-calendar arithmetic cannot be done in SQL;
  `lectern check-deadlines` recomputes them (and `--fix` rewrites them after a setting has
  changed);
- `span` / `words(event)`: what pages, emails and error messages say, built from the setting.

Durations stated in hours (the 48-hour waiting-list offer) are durations, not deadlines.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext, ngettext

from lectern.events.timezones import moment_text, offset_label

if TYPE_CHECKING:
    from lectern.events.models import Event


def wall_to_instant(wall: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant a naive local wall time names in `tz`: the first occurrence of a time
    that happens twice, the first instant after the gap for one that does not exist."""
    first = wall.replace(tzinfo=tz, fold=0)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall:
        return first.astimezone(UTC)
    # In a gap, fold=0 reads the wall time with the offset before the change (an instant
    # after the change), fold=1 with the offset after it (an instant before): the change,
    # which is the first instant after the gap, lies between them.
    low = int(wall.replace(tzinfo=tz, fold=1).timestamp())
    high = int(first.timestamp())
    old = datetime.fromtimestamp(low, UTC).astimezone(tz).utcoffset()
    while high - low > 1:  # changes happen on whole seconds
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, UTC).astimezone(tz).utcoffset() == old:
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, UTC)


def shift_local(instant: datetime, days: int, tz: ZoneInfo) -> datetime:
    """`instant` moved by `days` calendar days in `tz`, keeping its local wall time."""
    wall = instant.astimezone(tz).replace(tzinfo=None)
    return wall_to_instant(wall + timedelta(days=days), tz)


def end_of_local_day(day: date, tz: ZoneInfo) -> datetime:
    """The instant `day` ends in `tz` (the first instant of the next day)."""
    return wall_to_instant(datetime.combine(day + timedelta(days=1), time(0)), tz)


def days_text(days: int) -> str:
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


def instant_text(instant: datetime, timezone: str) -> str:
    """`Mon 8 Mar 2027, 09:00 EST (UTC-05:00)`: the instant in the event's zone."""
    local = instant.astimezone(ZoneInfo(timezone))
    return f"{moment_text(local)} ({offset_label(local)})"


def utc_text(instant: datetime) -> str:
    """`Mon 8 Mar 2027, 14:00 UTC`: the same format as every other time."""
    return moment_text(instant.astimezone(UTC))


class Anchor(enum.Enum):
    FIRST_START = "first_start"
    LAST_END = "last_end"


def relation_text(span: str, *, before: bool, anchor: Anchor) -> str:
    """`7 days before the first session starts`, in the active language."""
    if anchor is Anchor.FIRST_START:
        if before:
            return gettext("%(span)s before the first session starts") % {"span": span}
        return gettext("%(span)s after the first session starts") % {"span": span}
    if before:
        return gettext("%(span)s before the last session ends") % {"span": span}
    return gettext("%(span)s after the last session ends") % {"span": span}


@dataclass(frozen=True)
class Words:
    """What people are told of one event's deadline. Each text is written when it is read,
    in the active language then: an email built in one language is rendered in another
    (its event's)."""

    deadline: Deadline
    instant: datetime
    timezone: str

    @property
    def span(self) -> str:  # "7 days"
        return self.deadline.span

    @property
    def relation(self) -> str:  # "7 days before the first session starts"
        return self.deadline.relation

    @property
    def local(self) -> str:  # the instant in the event's zone
        return instant_text(self.instant, self.timezone)

    @property
    def utc(self) -> str:  # the instant in UTC
        return utc_text(self.instant)

    def __str__(self) -> str:
        return f"{self.local} ({self.utc}), {self.relation}"


@dataclass(frozen=True)
class Deadline:
    """An instant N calendar days before or after an event's anchor, at the same local time."""

    name: str
    setting: str  # key in settings.LECTERN holding N
    before: bool
    anchor: Anchor
    column: str  # Event field that stores `at(event)` for the database to filter on

    @property
    def days(self) -> int:
        return int(settings.LECTERN[self.setting])

    @property
    def span(self) -> str:
        return days_text(self.days)

    @property
    def relation(self) -> str:
        return relation_text(self.span, before=self.before, anchor=self.anchor)

    def anchor_of(self, event: Event) -> datetime:
        return event.first_start if self.anchor is Anchor.FIRST_START else event.last_end

    def at(self, event: Event) -> datetime:
        days = -self.days if self.before else self.days
        return shift_local(self.anchor_of(event), days, ZoneInfo(event.timezone))

    def passed(self, event: Event, now: datetime) -> bool:
        """Whether the deadline has come: from its instant on, not a second before."""
        return now >= self.at(event)

    def q(self, *, now: datetime, passed: bool, prefix: str = "") -> Q:
        """Events (or, with `prefix="event__"`, rows of an event) whose deadline has come
        (`passed=True`) or is still ahead (`passed=False`) at `now`."""
        lookup = f"{prefix}{self.column}__{'lte' if passed else 'gt'}"
        return Q(**{lookup: now})

    def words(self, event: Event) -> Words:
        return Words(self, self.at(event), event.timezone)


REGISTRATION_CUTOFF = Deadline(
    "registration_cutoff",
    "REGISTRATION_CUTOFF_DAYS",
    before=True,
    anchor=Anchor.FIRST_START,
    column="registration_closes_at",
)
LOW_ENROLMENT_DECISION = Deadline(
    "low_enrolment_decision",
    "LOW_ENROLMENT_DAYS",
    before=True,
    anchor=Anchor.FIRST_START,
    column="enrolment_decision_at",
)
TRAINER_NOTICE = Deadline(
    "trainer_notice",
    "TRAINER_NOTICE_DAYS",
    before=True,
    anchor=Anchor.FIRST_START,
    column="trainer_notice_at",
)
EMERGENCY_WINDOW = Deadline(
    "emergency_window",
    "EMERGENCY_DAYS_AFTER_EVENT",
    before=False,
    anchor=Anchor.LAST_END,
    column="emergency_closes_at",
)
ATTENDANCE_CLOSING = Deadline(
    "attendance_closing",
    "ATTENDANCE_CLOSING_DAYS",
    before=False,
    anchor=Anchor.LAST_END,
    column="attendance_closes_at",
)
ATTENDANCE_REMINDER = Deadline(
    "attendance_reminder",
    "ATTENDANCE_REMINDER_DAYS",
    before=False,
    anchor=Anchor.LAST_END,
    # Not stored: the reminder rule reads the few events between their end and their closing
    # (`ATTENDANCE_CLOSING.q`) and asks `at(event)` of each.
    column="",
)
EVENT_DEADLINES: tuple[Deadline, ...] = (
    REGISTRATION_CUTOFF,
    LOW_ENROLMENT_DECISION,
    TRAINER_NOTICE,
    EMERGENCY_WINDOW,
    ATTENDANCE_CLOSING,
)
BY_NAME: dict[str, Deadline] = {d.name: d for d in (*EVENT_DEADLINES, ATTENDANCE_REMINDER)}


def stored_instants(event: Event) -> dict[str, datetime]:
    """What each deadline column of `event` must hold, from its sessions and zone."""
    return {d.column: d.at(event) for d in EVENT_DEADLINES}


def stale_events(events: Any) -> list[tuple[Event, dict[str, tuple[datetime, datetime]]]]:
    """Events whose stored deadline columns differ from a recomputation: (event, column ->
    (stored, computed))."""
    stale = []
    for event in events:
        wrong = {
            column: (getattr(event, column), value)
            for column, value in stored_instants(event).items()
            if getattr(event, column) != value
        }
        if wrong:
            stale.append((event, wrong))
    return stale


# --- Checkout: counted from the end of the event's last local day, kept as a date. ---


CHECKOUT_SETTINGS = {"checkout": "CHECKOUT_DAYS", "checkout_ceiling": "CHECKOUT_CEILING_DAYS"}


def event_end_date(event: Event) -> date:
    """The event's last day, in its own time zone."""
    return event.last_end.astimezone(ZoneInfo(event.timezone)).date()


def checkout_deadline(event: Event) -> date:
    """The last day of checkout: the event's last local day + CHECKOUT_DAYS."""
    return event_end_date(event) + timedelta(days=settings.LECTERN["CHECKOUT_DAYS"])


def checkout_ceiling(event: Event) -> date:
    """The latest day an extension may reach: the event's last local day +
    CHECKOUT_CEILING_DAYS."""
    return event_end_date(event) + timedelta(days=settings.LECTERN["CHECKOUT_CEILING_DAYS"])


def checkout_ceiling_span() -> str:
    return days_text(settings.LECTERN["CHECKOUT_CEILING_DAYS"])


def checkout_closes_at(deadline: date, timezone: str) -> datetime:
    """The instant a checkout deadline day ends in the event's zone."""
    return end_of_local_day(deadline, ZoneInfo(timezone))


def checkout_reminder_at(deadline: date, timezone: str, days: int) -> datetime:
    """When the reminder `days` before a checkout deadline is due: that many calendar days
    before the deadline's end, at the same local time (midnight, local)."""
    tz = ZoneInfo(timezone)
    return shift_local(end_of_local_day(deadline, tz), -days, tz)


# --- Team registrations: a reminder before the cutoff, counted from the cutoff itself. ---


def team_details_reminder_at(event: Event) -> datetime:
    """When a team registration still waiting for its trainee's details is reminded:
    TEAM_DETAILS_REMINDER_DAYS calendar days before the cutoff, at its local time."""
    days = int(settings.LECTERN["TEAM_DETAILS_REMINDER_DAYS"])
    return shift_local(REGISTRATION_CUTOFF.at(event), -days, ZoneInfo(event.timezone))
