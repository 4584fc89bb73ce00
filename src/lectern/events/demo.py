"""Demo events from the real public training calendar (2019-2026, 15 time zones).

Past events are imported as history; the schedule of the last year is repeated 52 weeks
later (same weekdays, same local times) to fill the coming quarters.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from lectern.core.errors import DomainError
from lectern.core.permissions import Principal
from lectern.core.progress import track
from lectern.events import services
from lectern.events.models import EventStatus
from lectern.events.services import LocalTimes

DATA = Path(__file__).parent / "data" / "real_calendar.json"
PREPARATION = (
    "Before the training: a computer with a webcam and microphone, a recent browser, and the "
    "video-conference software. Homework: read the first two chapters of the curriculum and "
    "bring a five-minute lesson idea."
)


def real_calendar() -> list[dict[str, Any]]:
    return list(json.loads(DATA.read_text())["events"])


def _sessions(record: dict[str, Any], shift: timedelta) -> list[LocalTimes]:
    sessions = []
    for day_text in record["session_dates"]:
        day = date.fromisoformat(day_text) + shift
        start, end = record["local_start"], record["local_end"]
        end_day = day + timedelta(days=1) if end <= start else day
        sessions.append(LocalTimes(f"{day}T{start}", f"{end_day}T{end}"))
    return sessions


def trainer_pair(pool: list[int], n: int) -> list[int]:
    """The two trainers of the n-th event, as staff would rota them: every pair of the pool
    in turn, so that each trainer teaches about as many events and with different partners."""
    if len(pool) < 2:
        return list(pool)
    size = len(pool)
    first = n % size
    gap = 1 + (n // size) % (size - 1)
    return [pool[first], pool[(first + gap) % size]]


class Loaded(NamedTuple):
    history: int  # the real calendar's events, at their own dates
    repeated: int  # the last year's, a year later

    @property
    def total(self) -> int:
        return self.history + self.repeated


def load_demo_events(
    *, actor: Principal, today: date, trainer_ids: list[int], stream: Any = None
) -> Loaded:
    """Create the demo events; say how many. On a terminal `stream` shows progress."""
    created = 0
    repeated = 0
    repeat_from = today - timedelta(days=364)
    records = real_calendar()
    for index, record in enumerate(track(records, "Loading demo events", stream=stream)):
        first = date.fromisoformat(record["session_dates"][0])
        plans = [
            (timedelta(0), EventStatus.CANCELLED if record["canceled"] else EventStatus.COMPLETED)
        ]
        if first >= repeat_from:
            plans.append((timedelta(weeks=52), EventStatus.SCHEDULED))
        for shift, status in plans:
            if status == EventStatus.COMPLETED and first + shift >= today:
                status = EventStatus.SCHEDULED
            try:
                services.event_create(
                    actor=actor,
                    title=f"Instructor Training ({record['zone_label']})",
                    timezone=record["iana"],
                    sessions=_sessions(record, shift),
                    capacity=30,
                    min_enrolment=8,
                    meeting_url=f"https://meet.example.org/lectern-{index}",
                    preparation_notes=PREPARATION,
                    trainer_ids=trainer_pair(trainer_ids, created),
                    status=status,
                )
            except DomainError:
                continue  # a record whose local times do not exist in its zone
            created += 1
            repeated += bool(shift)
    return Loaded(created - repeated, repeated)
