"""Messages staff write to the people of one event, through the outbox (kind `staff_message`).

An audience is the event's confirmed trainees, its waiting list, its trainers, or the
coordinators of its confirmed trainees' memberships. `event_message_preview` shows what one
reader would get and how many readers there are; `event_message_send` writes one email per
reader, keyed on the audit entry of the sending (`m<id>`), so each sending reaches each
reader once and a second sending of the same words is a second message.

Staff write plain text: the subject and body are values put into the kind's templates,
never templates themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.errors import Invalid
from lectern.core.permissions import Principal, require_staff
from lectern.events.models import Event
from lectern.memberships.models import ContactRole, MembershipContact
from lectern.notifications.models import Message
from lectern.notifications.services import Rendered, email_language, message_queue, render
from lectern.registrations import emails
from lectern.registrations.models import (
    Registration,
    RegistrationStatus,
    WaitlistEntry,
    WaitlistStatus,
)

KIND = "staff_message"
AUDIENCES = {
    "confirmed": "Confirmed trainees",
    "waitlist": "The waiting list",
    "trainers": "Trainers",
    "coordinators": "Coordinators of its trainees",
}
SUBJECT_MAX = 200
BODY_MAX = 20_000


@dataclass(frozen=True)
class Reader:
    email: str
    name: str
    context: dict[str, Any]


def _readers(event: Event, audience: str) -> list[Reader]:
    if audience == "confirmed":
        registrations = Registration.objects.filter(
            event=event, status=RegistrationStatus.CONFIRMED
        ).select_related("trainee")
        return [
            Reader(
                r.trainee.email,
                r.trainee.name,
                {
                    "manage_url": emails.manage_url(r),
                    "personal_url": emails.personal_url(r.trainee),
                },
            )
            for r in registrations.order_by("pk")
        ]
    if audience == "waitlist":
        entries = WaitlistEntry.objects.filter(
            event=event, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]
        ).select_related("trainee")
        return [
            Reader(
                e.trainee.email, e.trainee.name, {"personal_url": emails.personal_url(e.trainee)}
            )
            for e in entries.order_by("pk")
        ]
    if audience == "trainers":
        return [Reader(t.email, t.get_full_name(), {}) for t in event.trainers.order_by("pk")]
    if audience == "coordinators":
        memberships = Registration.objects.filter(
            event=event, status=RegistrationStatus.CONFIRMED
        ).values("membership_id")
        contacts = MembershipContact.objects.filter(
            membership_id__in=memberships, role=ContactRole.COORDINATOR
        ).order_by("email", "pk")
        unique = {c.email: Reader(c.email, c.name, {}) for c in contacts}
        return list(unique.values())
    raise Invalid.field("audience", f"Choose one of {', '.join(AUDIENCES)}.")


def _checked(subject: str, body: str) -> tuple[str, str]:
    subject, body = " ".join(subject.split()), body.strip()
    if not subject:
        raise Invalid.field("subject", "Give the message a subject.")
    if len(subject) > SUBJECT_MAX:
        raise Invalid.field("subject", f"At most {SUBJECT_MAX} characters.")
    if not body:
        raise Invalid.field("body", "Write the message.")
    if len(body) > BODY_MAX:
        raise Invalid.field("body", f"At most {BODY_MAX:,} characters.")
    return subject, body


def _context(
    event: Event, audience: str, subject: str, body: str, reader: Reader
) -> dict[str, Any]:
    return {
        **emails.event_context(event),
        "audience": audience,
        "message_subject": subject,
        "message_body": body,
        **reader.context,
    }


@dataclass(frozen=True)
class Preview:
    recipients: int
    rendered: Rendered


def event_message_preview(
    *, actor: Principal, event: Event, audience: str, subject: str, body: str
) -> Preview:
    """What the first reader would get, and how many readers there are."""
    require_staff(actor)
    subject, body = _checked(subject, body)
    readers = _readers(event, audience)
    sample = readers[0] if readers else Reader("", "", {"manage_url": "…", "personal_url": "…"})
    context = _context(event, audience, subject, body, sample)
    rendered = render(
        KIND, {**context, "recipient_name": sample.name}, language=email_language(context)
    )
    return Preview(len(readers), rendered)


@transaction.atomic
def event_message_send(
    *,
    actor: Principal,
    event: Event,
    audience: str,
    subject: str,
    body: str,
    now: datetime | None = None,
) -> list[Message]:
    """Queue the message to every reader of the audience; return the messages written."""
    require_staff(actor)
    now = clock.resolve(now)
    subject, body = _checked(subject, body)
    readers = _readers(event, audience)
    entry = audit_log(
        actor=actor,
        action="staff_message",
        obj=event,
        at=now,
        data={"audience": audience, "subject": subject, "recipients": len(readers)},
    )
    written = []
    for reader in readers:
        message = message_queue(
            kind=KIND,
            key=f"m{entry.pk}",
            to=reader.email,
            name=reader.name,
            obj=event,
            now=now,
            context=_context(event, audience, subject, body, reader),
        )
        if message is not None:
            written.append(message)
    return written
