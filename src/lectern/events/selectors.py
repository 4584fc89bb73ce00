"""Reads about events: visibility, the calendar's quarters, schedules in local time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils.translation import gettext, gettext_lazy

from lectern.core.errors import Invalid
from lectern.core.permissions import Principal
from lectern.core.validators import EARLIEST_DATE, LATEST_DATE
from lectern.events.deadlines import REGISTRATION_CUTOFF
from lectern.events.models import Event, EventStatus, Session
from lectern.events.timezones import (
    LOCAL_FORMAT,
    day_text,
    is_ambiguous,
    offset_label,
    span_text,
)
from lectern.memberships.selectors import memberships_visible_to

QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, text: str) -> Quarter:
        match = QUARTER.match(text.strip().upper())
        if not match:
            raise Invalid.field(
                "quarter",
                gettext("%(text)s is not a quarter like 2027-Q1.") % {"text": repr(text)},
            )
        quarter = cls(int(match.group(1)), int(match.group(2)))
        first, last = cls.of(EARLIEST_DATE), cls.of(LATEST_DATE)
        if not first <= quarter <= last:
            raise Invalid.field(
                "quarter",
                gettext("Give a quarter from %(first)s to %(last)s.")
                % {"first": first, "last": last},
            )
        return quarter

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    def __str__(self) -> str:
        return f"{self.year}-Q{self.number}"


def registration_cutoff(event: Event) -> datetime:
    """The instant registration closes (defined in `events.deadlines`)."""
    return REGISTRATION_CUTOFF.at(event)


def registration_open(event: Event, now: datetime) -> bool:
    return event.status == EventStatus.SCHEDULED and not REGISTRATION_CUTOFF.passed(event, now)


def _sessions() -> Prefetch:
    return Prefetch("sessions", queryset=Session.objects.order_by("start"))


def with_schedule(events: QuerySet[Event]) -> QuerySet[Event]:
    """Fetch sessions and trainers with the events: a fixed number of queries for any count."""
    return events.prefetch_related(_sessions(), "trainers")


def schedule_loaded(event: Event) -> Event:
    """Fetch an event's sessions once (unless they are already), for the several readers of
    one email or page that need them."""
    prefetch_related_objects([event], _sessions())
    return event


def calendar_quarters(quarter: str | None, today: date) -> list[Quarter]:
    """The quarters a calendar shows: the one asked for, or the current and the next."""
    if quarter:
        return [Quarter.parse(quarter)]
    current = Quarter.of(today)
    return [current, current.next()]


def calendar_events(quarters: list[Quarter], now: datetime) -> QuerySet[Event]:
    """Public, scheduled, upcoming events whose first day (in the event's zone) is in range.

    An event belongs to the quarter of its first session's local date: an event starting
    31 March 23:30 in Honolulu is a first-quarter event, though it is 1 April in UTC.
    """
    first, last = min(quarters).first_day, max(quarters).last_day
    return with_schedule(
        Event.objects.filter(
            status=EventStatus.SCHEDULED,
            public=True,
            membership__isnull=True,
            first_start__gt=now,
            first_local_date__gte=first,
            first_local_date__lte=last,
        ).order_by("first_start", "id")
    )


def events_visible_to(principal: Principal) -> QuerySet[Event]:
    """Staff see every event; others public ones, their memberships' in-house ones, and the
    events they teach."""
    if principal.is_staff:
        return Event.objects.all()
    visible = Q(public=True, membership__isnull=True)
    if principal.user is not None:
        visible |= Q(membership__in=memberships_visible_to(principal).values("pk"))
        visible |= Q(trainers=principal.user)
    return Event.objects.filter(visible).distinct()


def can_see_private_details(principal: Principal, event: Event) -> bool:
    """The meeting link and preparation notes: staff and the event's trainers.

    (Confirmed trainees get them by email at the registration cutoff.)
    """
    if principal.is_staff:
        return True
    user = principal.user
    return user is not None and any(t.pk == user.pk for t in event.trainers.all())


@dataclass(frozen=True)
class LocalSession:
    start: datetime  # UTC
    end: datetime  # UTC
    local_start: datetime  # aware, in the event's zone
    local_end: datetime

    @property
    def offset(self) -> str:
        return offset_label(self.local_start)

    @property
    def local_start_text(self) -> str:
        return self.local_start.strftime(LOCAL_FORMAT)

    @property
    def local_end_text(self) -> str:
        return self.local_end.strftime(LOCAL_FORMAT)

    @property
    def day_label(self) -> str:
        return day_text(self.local_start)

    @property
    def time_range(self) -> str:
        """`09:00-17:00`, or `20:00 - Tue 6 Jul, 04:00` across midnight (the date is beside)."""
        return span_text(self.local_start, self.local_end, with_day=False)

    @property
    def text(self) -> str:
        """The whole session in the event's zone, as emails write it."""
        return span_text(self.local_start, self.local_end)

    @property
    def zone_abbreviation(self) -> str:
        return self.local_start.tzname() or ""

    @property
    def utc_range(self) -> str:
        return span_text(self.start.astimezone(UTC), self.end.astimezone(UTC))

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


def local_sessions(event: Event) -> list[LocalSession]:
    tz = ZoneInfo(event.timezone)
    return [
        LocalSession(s.start, s.end, s.start.astimezone(tz), s.end.astimezone(tz))
        for s in event.sessions.all()
    ]


def event_format(event: Event) -> str:
    """`two_full_days`, `four_half_days`, or `custom`."""
    hours = [round(s.hours) for s in local_sessions(event)]
    if len(hours) == 2 and all(7 <= h <= 9 for h in hours):
        return "two_full_days"
    if len(hours) == 4 and all(3 <= h <= 5 for h in hours):
        return "four_half_days"
    return "custom"


FORMAT_LABELS = {
    "two_full_days": gettext_lazy("Two full days"),
    "four_half_days": gettext_lazy("Four half days"),
    "custom": gettext_lazy("Custom schedule"),
}


def event_warnings(event: Event) -> list[str]:
    """Advice for staff that does not block anything."""
    warnings = []
    trainers = len(event.trainers.all())
    if trainers < 2:
        warnings.append(f"At least two trainers are recommended; {trainers} assigned.")
    tz = ZoneInfo(event.timezone)
    for session in local_sessions(event):
        if is_ambiguous(session.start, tz):
            warnings.append(
                f"{session.local_start:%Y-%m-%d %H:%M} happens twice in {event.timezone}; "
                f"the session starts at the first ({session.local_start.tzname()}, "
                f"{session.offset})."
            )
    return warnings


def events_taught_by(principal: Principal) -> QuerySet[Event]:
    if principal.user is None:
        return Event.objects.none()
    return with_schedule(Event.objects.filter(trainers=principal.user)).order_by("-first_start")
