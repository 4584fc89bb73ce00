"""The emails registration services write, with what each needs to say."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Prefetch
from django.utils.functional import lazy
from django.utils.text import format_lazy

from lectern.events.deadlines import EMERGENCY_WINDOW, REGISTRATION_CUTOFF
from lectern.events.models import Event, Session
from lectern.events.selectors import local_sessions, registration_cutoff, schedule_loaded
from lectern.events.timezones import day_text, span_text
from lectern.notifications.kinds import kind_get
from lectern.notifications.models import Message
from lectern.notifications.services import File, Letter, message_queue
from lectern.registrations.models import Registration, Trainee
from lectern.registrations.tokens import manage_token, trainee_token


def personal_url(trainee: Trainee) -> str:
    """The trainee's personal link ("My training"): it acts as the trainee, so only emails
    to them carry it."""
    return f"{settings.BASE_URL}/me/{trainee_token(trainee.pk, trainee.link_nonce)}/"


def manage_url(registration: Registration) -> str:
    token = manage_token(registration.pk, registration.manage_nonce)
    return f"{settings.BASE_URL}/manage/{token}/"


# Written when an email reads them, in its language (the event's), not the request's
_day_text, _span_text = lazy(day_text, str), lazy(span_text, str)


def viewer_sessions(event: Event, timezone: str) -> list[dict[str, Any]]:
    """The sessions in the trainee's own zone, when we know it."""
    if not timezone:
        return []
    tz = ZoneInfo(timezone)
    sessions = []
    for s in local_sessions(event):
        start, end = s.start.astimezone(tz), s.end.astimezone(tz)
        sessions.append(
            {
                "day": _day_text(start),
                "range": format_lazy("{} {}", _span_text(start, end, False), start.tzname()),
                "text": _span_text(start, end),
            }
        )
    return sessions


def event_context(event: Event, timezone: str = "") -> dict[str, Any]:
    schedule_loaded(event)
    return {
        "event": event,
        "sessions": local_sessions(event),
        "viewer_sessions": viewer_sessions(event, timezone),
        "viewer_zone": timezone,
        "cutoff": registration_cutoff(event),
        "cutoff_words": REGISTRATION_CUTOFF.words(event),
        "emergency_words": EMERGENCY_WINDOW.words(event),
        "event_url": f"{settings.BASE_URL}/events/{event.pk}/",
    }


def ics_file(event: Event, now: datetime, *, cancel: bool = False) -> File:
    """The event's calendar invitation, or its cancellation (see `events/ical.py`)."""
    from lectern.events import ical  # icalendar loads only when a file is made

    method = ical.CANCEL if cancel else ical.REQUEST
    return ical.invitation_file(event, now=now, method=method)


def trainee_context(registration: Registration) -> dict[str, Any]:
    """What every email to a registration's trainee says of it."""
    trainee, event = registration.trainee, registration.event
    return {
        **event_context(event, trainee.timezone),
        "registration": registration,
        "trainee": trainee,
        "manage_url": manage_url(registration),
        "personal_url": personal_url(trainee),
    }


def to_trainee(
    kind: str,
    registration: Registration,
    *,
    about: models.Model | None = None,
    key: str = "",
    now: datetime,
    attach_ics: bool = False,
    cancel_ics: Event | None = None,
    due_at: datetime | None = None,
    files: list[File] | None = None,
    **context: Any,
) -> None:
    """Queue an email to the registration's trainee, about the registration (or `about`);
    `key` as `message_queue` takes it. `attach_ics` attaches the invitation to the
    registration's event; `cancel_ics` the cancellation of an event's invitation (the one
    the trainee moved from, withdrew from, or that was cancelled).

    A kind written when it is sent (`registration_confirmed`) is only queued here: its
    writer gives the values and the files then, so the rest is not used."""
    trainee, event = registration.trainee, registration.event
    queue = partial(
        message_queue,
        kind=kind,
        key=key,
        to=trainee.email,
        name=trainee.name,
        obj=about or registration,
        now=now,
        due_at=due_at,
    )
    if kind_get(kind).write is not None:
        queue()
        return
    queue(
        context={**trainee_context(registration), **context},
        attachments=[
            *([ics_file(event, now)] if attach_ics else []),
            *([ics_file(cancel_ics, now, cancel=True)] if cancel_ics is not None else []),
            *(files or []),
        ],
    )


def confirmation_write(messages: list[Message]) -> list[Letter]:
    """The confirmations of registrations, written when they are sent: each registration, its
    event and schedule as they are then (read together for all), with the event's
    invitation, dated when the registration was made."""
    registrations = Registration.objects.select_related("trainee", "event").prefetch_related(
        Prefetch("event__sessions", queryset=Session.objects.order_by("start"))
    )
    found = registrations.in_bulk([m.object_id for m in messages])
    letters = []
    for message in messages:
        registration = found[message.object_id]
        letters.append(
            Letter(
                context=trainee_context(registration),
                files=[ics_file(registration.event, message.created_at)],
            )
        )
    return letters
