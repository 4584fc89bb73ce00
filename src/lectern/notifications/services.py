"""Queue, move and cancel emails. Called by other services inside their own transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string

from lectern.core import clock
from lectern.notifications.models import Attachment, Message, MessageStatus

# Each kind of email and the templates it is written with (notifications/<template>/...).
KINDS: dict[str, str] = {
    "membership_welcome": "membership_welcome",
    "coordinator_checkin_3m": "coordinator_checkin",
    "coordinator_checkin_6m": "coordinator_checkin",
    "coordinator_checkin_9m": "coordinator_checkin",
    "event_approaching_trainer": "event_approaching_trainer",
    "registration_confirmed": "registration_confirmed",
    "registration_moved": "registration_moved",
    "registration_withdrawn": "registration_withdrawn",
    "seat_forfeited": "seat_forfeited",
    "emergency_exception": "emergency_exception",
    "event_cancelled": "event_cancelled",
    "event_cancelled_coordinator": "event_cancelled_coordinator",
    "preparation": "preparation",
    "waitlist_joined": "waitlist_joined",
    "waitlist_offer": "waitlist_offer",
    "waitlist_ended": "waitlist_ended",
    "attendance_result": "attendance_result",
    "extension_granted": "extension_granted",
    "certified": "certified",
}
# Kinds made per period (e.g. social_event_suggestion_2027q1) share one template.
KIND_PREFIXES = {
    "social_event_suggestion_": "social_event_suggestion",
    "checkout_reminder_": "checkout_reminder",
    "checkout_expired_": "checkout_expired",
}


def template_for(kind: str) -> str:
    if kind in KINDS:
        return KINDS[kind]
    for prefix, template in KIND_PREFIXES.items():
        if kind.startswith(prefix):
            return template
    raise KeyError(f"no templates for email kind {kind!r}")


@dataclass(frozen=True)
class File:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def render(kind: str, context: dict[str, Any]) -> Rendered:
    """Render a kind's subject, plain-text and HTML templates."""
    template = template_for(kind)
    full = {"programme_name": settings.PROGRAMME_NAME, "base_url": settings.BASE_URL, **context}
    subject = render_to_string(f"notifications/{template}/subject.txt", full)
    return Rendered(
        subject=" ".join(subject.split()),
        text=render_to_string(f"notifications/{template}/body.txt", full),
        html=render_to_string(f"notifications/{template}/body.html", full),
    )


def object_key(obj: models.Model) -> tuple[str, int]:
    assert obj.pk is not None
    return obj._meta.model_name or type(obj).__name__.lower(), int(obj.pk)


def message_queue(
    *,
    kind: str,
    to: str,
    obj: models.Model,
    context: dict[str, Any],
    name: str = "",
    due_at: datetime | None = None,
    expires_at: datetime | None = None,
    attachments: Sequence[File] = (),
    now: datetime | None = None,
) -> Message | None:
    """Write an email to send at `due_at` (default: now). Return None if this kind of email
    about this object to this person exists already: each is sent at most once."""
    now = clock.resolve(now)
    object_type, object_id = object_key(obj)
    to = to.strip().lower()
    rendered = render(kind, {**context, "recipient_name": name})
    try:
        with transaction.atomic():
            message = Message.objects.create(
                kind=kind,
                recipient=to,
                recipient_name=name,
                object_type=object_type,
                object_id=object_id,
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                due_at=due_at or now,
                expires_at=expires_at,
                created_at=now,
            )
    except IntegrityError:
        return None  # queued before (the unique key on kind, object and recipient says so)
    Attachment.objects.bulk_create(
        Attachment(
            message=message, filename=f.filename, content_type=f.content_type, content=f.content
        )
        for f in attachments
    )
    return message


def pending_about(obj: models.Model, kinds: Iterable[str]) -> models.QuerySet[Message]:
    object_type, object_id = object_key(obj)
    return Message.objects.filter(
        object_type=object_type,
        object_id=object_id,
        kind__in=list(kinds),
        status=MessageStatus.PENDING,
    )


def messages_cancel(*, obj: models.Model, kinds: Iterable[str], reason: str) -> int:
    """Cancel the pending emails of these kinds about `obj` (e.g. a cancelled event's)."""
    return pending_about(obj, kinds).update(
        status=MessageStatus.CANCELLED, last_error=reason, claimed_until=None
    )


def messages_reschedule(
    *,
    obj: models.Model,
    kind: str,
    due_at: datetime,
    expires_at: datetime | None,
    context: dict[str, Any],
) -> int:
    """Move the pending emails of a kind about `obj` and write them again with `context`
    (e.g. a rescheduled event's reminders, which must show the new times)."""
    moved = 0
    for message in pending_about(obj, [kind]):
        rendered = render(kind, {**context, "recipient_name": message.recipient_name})
        moved += Message.objects.filter(pk=message.pk, status=MessageStatus.PENDING).update(
            due_at=due_at,
            expires_at=expires_at,
            subject=rendered.subject,
            body_text=rendered.text,
            body_html=rendered.html,
        )
    return moved
