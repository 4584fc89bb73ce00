"""Reads about the trainer pool: who can teach when, and which events need trainers."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet

from lectern.accounts.models import User
from lectern.core import clock
from lectern.core.errors import DomainError
from lectern.events.models import Event, EventStatus
from lectern.events.selectors import Quarter, local_sessions, with_schedule
from lectern.trainers.models import Availability, TrainerProfile


def min_trainers() -> int:
    return int(settings.LECTERN["EVENT_MIN_TRAINERS"])


def trainers_pool() -> QuerySet[User]:
    return User.objects.filter(is_trainer=True, is_active=True).order_by("name", "email")


def event_local_days(event: Event) -> set[date]:
    """Every day, in the event's zone, on which one of its sessions runs."""
    days: set[date] = set()
    for session in local_sessions(event):
        day = session.local_start.date()
        while day <= session.local_end.date():
            days.add(day)
            day += timedelta(days=1)
    return days


@dataclass(frozen=True)
class StaffingRow:
    event: Event
    trainers: list[User]
    available: list[User]  # in the pool, free on every day of the event, speaking its language

    @property
    def short_by(self) -> int:
        return max(min_trainers() - len(self.trainers), 0)


def staffing(now: datetime, *, limit: int = 200) -> list[StaffingRow]:
    """Every upcoming scheduled event with its trainers and who else could teach it: a
    fixed number of queries (events, sessions, trainers; the pool, profiles, availability)."""
    events = list(
        with_schedule(
            Event.objects.filter(status=EventStatus.SCHEDULED, first_start__gt=now)
        ).order_by("first_start", "id")[:limit]
    )
    pool = list(trainers_pool())
    languages = {
        p.user_id: set(p.language_list) for p in TrainerProfile.objects.filter(user__in=pool)
    }
    days_of = {e.pk: event_local_days(e) for e in events}
    all_days = set().union(*days_of.values()) if days_of else set()
    free: dict[int, set[date]] = defaultdict(set)
    if all_days:
        for row in Availability.objects.filter(
            trainer__in=pool, last_day__gte=min(all_days), first_day__lte=max(all_days)
        ):
            day = row.first_day
            while day <= row.last_day:
                free[row.trainer_id].add(day)
                day += timedelta(days=1)
    rows = []
    for event in events:
        assigned = list(event.trainers.all())
        taken = {t.pk for t in assigned}
        available = [
            t
            for t in pool
            if t.pk not in taken
            and days_of[event.pk] <= free[t.pk]
            and event.language in languages.get(t.pk, {"en"})
        ]
        rows.append(StaffingRow(event, assigned, available))
    return rows


def availability_of(trainer: User, quarter: str) -> tuple[list[date], list[date]]:
    """The days and the weeks (their Mondays) a trainer gave for a quarter."""
    days, weeks = [], []
    for row in Availability.objects.filter(trainer=trainer, quarter=quarter):
        if row.first_day == row.last_day:
            days.append(row.first_day)
        else:
            weeks.append(row.first_day)
    return days, weeks


def availability_context(trainer: User, quarter_text: str | None) -> dict[str, object]:
    today = clock.now().date()
    try:
        quarter = Quarter.parse(quarter_text) if quarter_text else Quarter.of(today)
    except DomainError:
        quarter = Quarter.of(today)
    days, weeks = availability_of(trainer, str(quarter))
    mondays = []
    day = quarter.first_day + dt.timedelta(days=(7 - quarter.first_day.weekday()) % 7)
    while day <= quarter.last_day:
        mondays.append({"monday": day, "chosen": day in weeks})
        day += dt.timedelta(days=7)
    return {
        "trainer": trainer,
        "quarter": quarter,
        "quarters": [Quarter.of(today), Quarter.of(today).next(), Quarter.of(today).next().next()],
        "days": ", ".join(f"{d:%Y-%m-%d}" for d in days),
        "mondays": mondays,
    }
