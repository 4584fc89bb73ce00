"""Emails tied to an event's dates: queued ahead, moved when the event moves, cancelled with it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings

from lectern.events import deadlines
from lectern.events.models import Event, EventStatus
from lectern.events.selectors import local_sessions, registration_cutoff
from lectern.notifications.models import MessageStatus
from lectern.notifications.services import (
    message_queue,
    messages_cancel,
    messages_reschedule,
    pending_about,
)

TRAINER_NOTICE = "event_approaching_trainer"
EVENT_REMINDERS = (TRAINER_NOTICE,)


def event_context(event: Event) -> dict[str, Any]:
    return {
        "event": event,
        "sessions": local_sessions(event),
        "cutoff": registration_cutoff(event),
        "url": f"{settings.BASE_URL}/events/{event.pk}/",
        "trainer_url": f"{settings.BASE_URL}/trainer/",
    }


def event_reminders_sync(event: Event, now: datetime) -> None:
    """Make the event's pending reminders match its dates, status and trainers.

    The trainers' notice goes at `deadlines.TRAINER_NOTICE` (at once if the event is scheduled
    sooner), once per trainer (the outbox's key), and is not sent once the event has started.
    """
    if event.status != EventStatus.SCHEDULED or event.first_start <= now:
        messages_cancel(obj=event, kinds=EVENT_REMINDERS, reason=f"event {event.status}")
        return
    due = max(deadlines.TRAINER_NOTICE.at(event), now)
    context = event_context(event)
    trainers = {t.email: t for t in event.trainers.all()}
    pending = pending_about(event, [TRAINER_NOTICE])
    pending.exclude(recipient__in=list(trainers)).update(
        status=MessageStatus.CANCELLED, last_error="no longer a trainer of this event"
    )
    messages_reschedule(
        obj=event, kind=TRAINER_NOTICE, due_at=due, expires_at=event.first_start, context=context
    )
    for email, trainer in trainers.items():
        message_queue(
            kind=TRAINER_NOTICE,
            to=email,
            name=trainer.get_full_name(),
            obj=event,
            context=context,
            due_at=due,
            expires_at=event.first_start,
            now=now,
        )
