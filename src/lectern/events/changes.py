"""Changes people planned around, told to them: rescheduled sessions, a new video-conference
link once the preparation email has gone, a new title.

`events.services.event_update` finds what changed (`told_fields`), asks whether the change
needs a staff reason (`reasons_needed`), raises the event's `change_sequence` and tells people
(`change_tell`). The event's trainers are told here; the apps above add their own readers and
checks from their `AppConfig.ready()` (registrations tells confirmed trainees and the waiting
list, and asks for a reason when the event moves past a registered trainee's membership end):

    change_check_register(check)       # check(event, now) -> [why a reason is needed]
    change_listener_register(listen)   # listen(change) -> None, in the same transaction

Each change's emails are kind `event_changed`, keyed on the change's sequence (`seq<N>`), so
each recipient gets each change exactly once, however often the telling runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils.functional import lazy

from lectern.events.deadlines import REGISTRATION_CUTOFF, instant_text
from lectern.events.models import Event
from lectern.events.selectors import local_sessions, schedule_loaded
from lectern.notifications.services import File, message_queue

KIND = "event_changed"
TOLD = ("sessions", "title", "meeting_url")

Pairs = tuple[tuple[datetime, datetime], ...]


@dataclass(frozen=True)
class Before:
    """What people knew of the event before the change."""

    title: str
    meeting_url: str
    timezone: str
    sessions: Pairs
    preparation_sent: bool  # the cutoff had passed: trainees had the link

    @classmethod
    def of(cls, event: Event, now: datetime) -> Before:
        return cls(
            title=event.title,
            meeting_url=event.meeting_url,
            timezone=event.timezone,
            sessions=tuple((s.start, s.end) for s in event.sessions.all()),
            preparation_sent=REGISTRATION_CUTOFF.passed(event, now),
        )


def told_fields(before: Before, event: Event) -> tuple[str, ...]:
    """What changed that people are told of (a zone change alone that keeps the instants is
    not a change of sessions)."""
    changed = []
    if tuple((s.start, s.end) for s in event.sessions.all()) != before.sessions:
        changed.append("sessions")
    if event.title != before.title:
        changed.append("title")
    if event.meeting_url != before.meeting_url and before.preparation_sent:
        changed.append("meeting_url")
    return tuple(changed)


# Written when an email reads them, in its language (the event's)
_instant_text = lazy(instant_text, str)


@dataclass(frozen=True)
class EventChange:
    event: Event
    fields: tuple[str, ...]
    before: Before
    reason: str
    at: datetime
    free_until: datetime | None = None  # set for a change of sessions
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"seq{self.event.change_sequence}"

    @property
    def removed_sessions(self) -> Pairs:
        """Sessions of the old schedule beyond the new number: their entries are cancelled."""
        return self.before.sessions[len(self.event.sessions.all()) :]

    def context(self) -> dict[str, Any]:
        """What every `event_changed` email says, whoever reads it."""
        tz = self.before.timezone
        return {
            "changed": list(self.fields),
            "sessions_changed": "sessions" in self.fields,
            "title_changed": "title" in self.fields,
            "meeting_url_changed": "meeting_url" in self.fields,
            "previous_title": self.before.title,
            "previous_sessions": [
                {"start": _instant_text(start, tz), "end": _instant_text(end, tz)}
                for start, end in self.before.sessions
            ],
            "change_reason": self.reason,
            "free_until": _instant_text(self.free_until, self.event.timezone)
            if self.free_until
            else "",
            "free_hours": settings.LECTERN["CHANGE_FREE_WITHDRAWAL_HOURS"],
        }


ReasonCheck = Callable[[Event, datetime], list[str]]
Listener = Callable[[EventChange], None]
_CHECKS: list[ReasonCheck] = []
_LISTENERS: list[Listener] = []


def change_check_register(check: ReasonCheck) -> ReasonCheck:
    if check not in _CHECKS:
        _CHECKS.append(check)
    return check


def change_listener_register(listener: Listener) -> Listener:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)
    return listener


def reasons_needed(event: Event, now: datetime, fields: tuple[str, ...]) -> list[str]:
    """Why this change of sessions needs a staff reason: its new cutoff has passed, or (the
    apps' checks) it leaves a registered trainee's membership before the event."""
    if "sessions" not in fields:
        return []
    why = []
    if REGISTRATION_CUTOFF.passed(event, now):
        words = REGISTRATION_CUTOFF.words(event)
        why.append(f"the new registration cutoff, {words.local} ({words.utc}), has passed")
    for check in _CHECKS:
        why.extend(check(event, now))
    return why


def invitation_files(change: EventChange, now: datetime) -> list[File]:
    """The updated invitation, and the cancellation of sessions the change removed."""
    from lectern.events import ical  # icalendar loads only when a file is made

    files = [ical.invitation_file(change.event, now=now)]
    removed = change.removed_sessions
    if removed:
        first = len(change.before.sessions) - len(removed) + 1
        files.append(
            File(
                ical.invitation_filename(change.event, ical.CANCEL),
                ical.invitation_content_type(ical.CANCEL),
                ical.invitation_ics(
                    change.event, now=now, method=ical.CANCEL, sessions=removed, first_number=first
                ),
            )
        )
    return files


def event_change_context(event: Event, timezone: str = "") -> dict[str, Any]:
    schedule_loaded(event)
    return {
        "event": event,
        "sessions": local_sessions(event),
        "event_url": f"{settings.BASE_URL}/events/{event.pk}/",
        "viewer_zone": timezone,
    }


def change_tell(change: EventChange, now: datetime) -> None:
    """Tell the trainers, then every registered listener (trainees, the waiting list)."""
    event = change.event
    files = invitation_files(change, now)
    for trainer in event.trainers.all():
        message_queue(
            kind=KIND,
            key=change.key,
            to=trainer.email,
            name=trainer.get_full_name(),
            obj=event,
            now=now,
            context={
                **event_change_context(event),
                **change.context(),
                "audience": "trainer",
                "meeting_url": event.meeting_url,
                "trainer_url": f"{settings.BASE_URL}/trainer/",
            },
            attachments=files,
        )
    for listener in _LISTENERS:
        listener(change)
