"""Writes for training events: create, update, cancel. Times arrive as local wall-clock."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from lectern.accounts.models import User
from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.errors import Conflict, Invalid
from lectern.core.locking import lock
from lectern.core.permissions import Principal, require_staff
from lectern.events.changes import Before, EventChange, change_tell, reasons_needed, told_fields
from lectern.events.deadlines import stored_instants
from lectern.events.models import Event, EventStatus, Session
from lectern.events.reminders import event_reminders_sync
from lectern.events.timezones import parse_local, to_instant, zone
from lectern.memberships.models import Membership


@dataclass(frozen=True)
class LocalTimes:
    """A session as staff enter it: local wall-clock times in the event's zone."""

    start: str
    end: str


def sessions_to_instants(
    timezone: str, sessions: Sequence[LocalTimes]
) -> list[tuple[datetime, datetime]]:
    """Turn local session times into UTC instants; refuse gaps, overlaps and backwards times."""
    tz = zone(timezone)
    if not sessions:
        raise Invalid.field("sessions", "Give at least one session.")
    instants = []
    for index, session in enumerate(sessions):
        start_field, end_field = f"sessions.{index}.start", f"sessions.{index}.end"
        start = to_instant(parse_local(session.start, start_field), tz, start_field).instant
        end = to_instant(parse_local(session.end, end_field), tz, end_field).instant
        if end <= start:
            raise Invalid.field(end_field, "A session must end after it starts.")
        instants.append((start, end))
    instants.sort()
    for (_, previous_end), (next_start, _) in itertools.pairwise(instants):
        if next_start < previous_end:
            raise Invalid.field("sessions", "Sessions must not overlap.")
    return instants


# Far above any online training (they run with about 30 places), and a bound on input.
MAX_CAPACITY = 1000


def _check_numbers(capacity: int, min_enrolment: int, places_taken: int = 0) -> None:
    if not 1 <= capacity <= MAX_CAPACITY:
        raise Invalid.field("capacity", f"Capacity must be between 1 and {MAX_CAPACITY:,}.")
    if capacity < places_taken:
        raise Invalid.field(
            "capacity", f"{places_taken} places are taken; capacity cannot be lower."
        )
    if not 0 <= min_enrolment <= capacity:
        raise Invalid.field("min_enrolment", "Minimum enrolment must be between 0 and capacity.")


def _check_url(url: str) -> str:
    url = url.strip()
    if url:
        try:
            URLValidator(schemes=["https", "http"])(url)
        except ValidationError:
            raise Invalid.field("meeting_url", "Give a full web address (https://…).") from None
    return url


def _trainers(trainer_ids: Sequence[int]) -> list[User]:
    trainers = list(User.objects.filter(pk__in=trainer_ids, is_trainer=True, is_active=True))
    missing = set(trainer_ids) - {t.pk for t in trainers}
    if missing:
        raise Invalid.field("trainer_ids", f"Not trainers: {', '.join(map(str, sorted(missing)))}.")
    return trainers


def _set_sessions(event: Event, instants: list[tuple[datetime, datetime]]) -> None:
    """Replace the sessions and the copies of their span and deadlines kept on the event."""
    event.first_start = instants[0][0]
    event.last_end = max(end for _, end in instants)
    event.first_local_date = event.first_start.astimezone(ZoneInfo(event.timezone)).date()
    deadlines = stored_instants(event)
    for column, value in deadlines.items():
        setattr(event, column, value)
    if event.pk:
        event.sessions.all().delete()
        event.save(
            update_fields=["first_start", "last_end", "first_local_date", "timezone", *deadlines]
        )
    else:
        event.save()
    Session.objects.bulk_create(Session(event=event, start=s, end=e) for s, e in instants)


@transaction.atomic
def event_create(
    *,
    actor: Principal,
    title: str,
    timezone: str,
    sessions: Sequence[LocalTimes],
    capacity: int,
    min_enrolment: int,
    meeting_url: str = "",
    preparation_notes: str = "",
    language: str = "en",
    public: bool = True,
    membership: Membership | None = None,
    trainer_ids: Sequence[int] = (),
    run_regardless: bool = False,
    status: str = EventStatus.SCHEDULED,
    now: datetime | None = None,
) -> Event:
    """Schedule an event. Events in the past are allowed (history import)."""
    require_staff(actor)
    now = clock.resolve(now)
    title = title.strip()
    if not title:
        raise Invalid.field("title", "Give the event a title.")
    if status not in EventStatus.values:
        raise Invalid.field("status", f"Choose one of {', '.join(EventStatus.values)}.")
    instants = sessions_to_instants(timezone, sessions)
    _check_numbers(capacity, min_enrolment)
    trainers = _trainers(trainer_ids)
    event = Event(
        title=title,
        timezone=timezone,
        capacity=capacity,
        min_enrolment=min_enrolment,
        meeting_url=_check_url(meeting_url),
        preparation_notes=preparation_notes,
        language=language.strip() or "en",
        public=public and membership is None,
        membership=membership,
        run_regardless=run_regardless,
        status=status,
        created_at=now,
    )
    _set_sessions(event, instants)
    event.trainers.set(trainers)
    event_reminders_sync(event, now)
    audit_log(actor=actor, action="event_created", obj=event, at=now)
    return event


UPDATABLE = {
    "title",
    "capacity",
    "min_enrolment",
    "meeting_url",
    "preparation_notes",
    "language",
    "public",
    "run_regardless",
}


@transaction.atomic
def event_update(
    *,
    actor: Principal,
    event: Event,
    changes: dict[str, Any],
    reason: str = "",
    now: datetime | None = None,
) -> Event:
    """Change any of an event's fields; `sessions` (local times) replace all sessions.

    A new `timezone` without new sessions keeps the local wall-clock times and moves the
    instants, as staff who fix a wrong zone expect.

    A change people planned around (sessions, title, the link once the preparation email has
    gone) is told to them (`events.changes`); a change of sessions whose new cutoff has passed
    or that leaves a registered trainee's membership before the event needs `reason`
    (409 `reason_required`).
    """
    require_staff(actor)
    now = clock.resolve(now)
    reason = reason.strip()
    event = lock(events=[event.pk]).events[event.pk]
    before = Before.of(event, now)
    unknown = set(changes) - UPDATABLE - {"sessions", "timezone", "trainer_ids", "membership"}
    if unknown:
        raise Invalid.field(sorted(unknown)[0], "This field cannot be changed.")
    for name in UPDATABLE & set(changes):
        value = changes[name]
        if name == "meeting_url":
            value = _check_url(value)
        if name == "title" and not str(value).strip():
            raise Invalid.field("title", "Give the event a title.")
        setattr(event, name, value)
    if "membership" in changes:
        event.membership = changes["membership"]
    if event.membership is not None:
        event.public = False
    _check_numbers(event.capacity, event.min_enrolment, event.places_taken)
    timezone = changes.get("timezone", event.timezone)
    sessions = changes.get("sessions")
    if sessions is None and timezone != event.timezone:
        old = ZoneInfo(event.timezone)
        sessions = [
            LocalTimes(
                s.start.astimezone(old).strftime("%Y-%m-%dT%H:%M"),
                s.end.astimezone(old).strftime("%Y-%m-%dT%H:%M"),
            )
            for s in event.sessions.all()
        ]
    if sessions is not None:
        if event.status != EventStatus.SCHEDULED:
            raise Conflict(
                "Only a scheduled event's sessions can change.", code="event_not_scheduled"
            )
        instants = sessions_to_instants(timezone, sessions)
        event.timezone = timezone
        _set_sessions(event, instants)
    event.save()
    if "trainer_ids" in changes:
        event.trainers.set(_trainers(changes["trainer_ids"]))
    told = told_fields(before, event) if event.status == EventStatus.SCHEDULED else ()
    why = reasons_needed(event, now, told)
    if why and not reason:
        raise Conflict(
            f"This change needs a reason, which trainees are told: {'; '.join(why)}.",
            code="reason_required",
            fields={"reason": [f"Say why the event changes: {'; '.join(why)}."]},
        )
    if told:
        _change_record(event, told, before, reason, now)
    event_reminders_sync(event, now)
    audit_log(
        actor=actor,
        action="event_updated",
        obj=event,
        at=now,
        reason=reason,
        data={"fields": sorted(changes), "told": list(told), "sequence": event.change_sequence},
    )
    return event


def _change_record(
    event: Event, told: tuple[str, ...], before: Before, reason: str, now: datetime
) -> None:
    """Raise the change's sequence (the invitations' SEQUENCE, the emails' key) and tell."""
    event.change_sequence += 1
    free_until = None
    if "sessions" in told:
        event.sessions_changed_at = now
        free_until = now + timedelta(hours=settings.LECTERN["CHANGE_FREE_WITHDRAWAL_HOURS"])
    event.save(update_fields=["change_sequence", "sessions_changed_at"])
    change_tell(
        EventChange(
            event=event, fields=told, before=before, reason=reason, at=now, free_until=free_until
        ),
        now,
    )
