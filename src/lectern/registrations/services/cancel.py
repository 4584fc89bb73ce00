"""Cancelling an event: the event, its registrations, their seats, its waiting list.

The event's own app knows nothing of registrations, so cancelling, which changes both,
lives here: staff's cancellation and the low-enrolment rule both call `event_cancel`.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import F, Q

from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.errors import Conflict, Invalid
from lectern.core.locking import lock
from lectern.core.permissions import Principal, require_staff
from lectern.events.deadlines import LOW_ENROLMENT_DECISION, REGISTRATION_CUTOFF, instant_text
from lectern.events.models import Event, EventStatus
from lectern.events.reminders import event_reminders_sync
from lectern.events.selectors import with_schedule
from lectern.memberships.models import ContactRole, MembershipContact
from lectern.notifications.services import message_queue
from lectern.registrations import emails
from lectern.registrations.models import HOLDING, Registration, RegistrationStatus
from lectern.registrations.services.places import registration_end
from lectern.registrations.services.waitlist import waitlist_end


@transaction.atomic
def event_cancel(
    *,
    actor: Principal,
    event: Event,
    reason: str,
    now: datetime | None = None,
) -> Event:
    """Cancel an event at any time, with a reason: every registration is cancelled and its
    seat released, trainees (with future events to move to) and coordinators are told, and
    the waiting list ends."""
    require_staff(actor)
    reason = reason.strip()
    if not reason:
        raise Invalid.field("reason", "Give a reason; trainees and coordinators are told it.")
    now = clock.resolve(now)
    event = lock(events=[event.pk]).events[event.pk]
    if event.status == EventStatus.CANCELLED:
        raise Conflict("This event is already cancelled.", code="event_cancelled")
    if event.status == EventStatus.COMPLETED:
        raise Conflict("A completed event cannot be cancelled.", code="event_completed")
    event.status = EventStatus.CANCELLED
    event.cancel_reason = reason
    event.cancelled_at = now
    event.change_sequence += 1  # the cancellation is a change of every invitation
    event.save(update_fields=["status", "cancel_reason", "cancelled_at", "change_sequence"])
    event_reminders_sync(event, now)
    _registrations_cancel(actor=actor, event=event, now=now)
    audit_log(actor=actor, action="event_cancelled", obj=event, at=now, reason=reason)
    return event


@transaction.atomic
def event_enrolment_decide(*, event: Event, now: datetime | None = None) -> bool:
    """Take the low-enrolment decision, once: record the confirmed registrations now and
    cancel the event if they are fewer than its minimum (unless staff said to run it
    regardless). Return whether it was cancelled. Numbers that change afterwards (late
    withdrawals) never cancel the event: there is no second decision."""
    now = clock.resolve(now)
    event = lock(events=[event.pk]).events[event.pk]
    if event.enrolment_decided_at is not None or event.status != EventStatus.SCHEDULED:
        return False
    event.enrolment_decided_at = now
    event.enrolment_at_decision = event.places_taken  # the count of confirmed registrations
    event.save(update_fields=["enrolment_decided_at", "enrolment_at_decision"])
    audit_log(
        actor=Principal.as_system(),
        action="event_enrolment_decided",
        obj=event,
        at=now,
        data={"confirmed": event.places_taken, "minimum": event.min_enrolment},
    )
    if event.run_regardless or event.places_taken >= event.min_enrolment:
        return False
    event_cancel(
        actor=Principal.as_system(),
        event=event,
        now=now,
        reason=f"Fewer than {event.min_enrolment} trainees had registered when enrolment was "
        f"decided, {LOW_ENROLMENT_DECISION.relation} "
        f"({instant_text(now, event.timezone)}): {event.places_taken} had.",
    )
    return True


def _registrations_cancel(*, actor: Principal, event: Event, now: datetime) -> int:
    registrations = list(
        Registration.objects.select_related("trainee", "membership__organization")
        .filter(event=event, status__in=HOLDING)
        .order_by("membership_id", "pk")
    )
    memberships = lock(memberships={r.membership_id for r in registrations}).memberships
    alternatives = future_events_with_seats(now=now, exclude=event.pk)
    for registration in registrations:
        registration_end(
            registration,
            status=RegistrationStatus.CANCELLED,
            event=None,
            membership=memberships[registration.membership_id],
            actor=actor,
            now=now,
            reason=f"event {event.pk} cancelled",
        )
        emails.to_trainee(
            "event_cancelled",
            registration,
            now=now,
            cancel_ics=event,
            reason=event.cancel_reason,
            alternatives=[
                e for e in alternatives if e.membership_id in (None, registration.membership_id)
            ],
        )
    event.places_taken = 0
    event.save(update_fields=["places_taken"])
    _tell_coordinators(event, registrations, now)
    waitlist_end(event=event, now=now)
    return len(registrations)


def _tell_coordinators(event: Event, registrations: list[Registration], now: datetime) -> None:
    memberships = {r.membership_id for r in registrations}
    contacts = MembershipContact.objects.filter(
        membership_id__in=memberships, role=ContactRole.COORDINATOR
    )
    for contact in contacts.select_related("membership__organization"):
        trainees = [r.trainee for r in registrations if r.membership_id == contact.membership_id]
        message_queue(
            kind="event_cancelled_coordinator",
            to=contact.email,
            name=contact.name,
            obj=event,
            now=now,
            context={
                **emails.event_context(event),
                "trainees": trainees,
                "membership": contact.membership,
                "reason": event.cancel_reason,
            },
        )


def future_events_with_seats(
    *, now: datetime, exclude: int | None = None, membership_id: int | None = None
) -> list[Event]:
    """Scheduled events whose registration is open and that have places left."""
    events = Event.objects.filter(
        REGISTRATION_CUTOFF.q(now=now, passed=False),
        status=EventStatus.SCHEDULED,
        places_taken__lt=F("capacity"),
    ).filter(Q(public=True, membership__isnull=True) | Q(membership_id=membership_id))
    if exclude:
        events = events.exclude(pk=exclude)
    return list(with_schedule(events).order_by("first_start")[:20])
