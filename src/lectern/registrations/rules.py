"""Scheduled rules about registrations and events."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, QuerySet

from lectern.core.models import IdempotencyRecord
from lectern.core.ratelimit import rate_counts_forget
from lectern.events.deadlines import (
    LOW_ENROLMENT_DECISION,
    REGISTRATION_CUTOFF,
    team_details_reminder_at,
)
from lectern.events.models import Event, EventStatus
from lectern.events.selectors import Quarter
from lectern.memberships.models import ContactRole, MembershipContact
from lectern.notifications.models import Message
from lectern.notifications.scheduler import rule
from lectern.notifications.services import message_queue
from lectern.registrations import emails
from lectern.registrations.models import Registration, RegistrationStatus
from lectern.registrations.services.cancel import event_enrolment_decide
from lectern.registrations.services.team import details_url, registration_release
from lectern.registrations.services.waitlist import waitlist_expire


@rule("low_enrolment_cancellation")
def low_enrolment_cancellation(now: datetime) -> int:
    """At `LOW_ENROLMENT_DECISION`, take each event's enrolment decision once and record
    it: cancel events with fewer confirmed registrations than their minimum, unless staff said
    to run regardless. Missed during downtime (or for an event rescheduled into the window) it
    is taken at the first run after, until the event starts; after that the decision has lost
    its meaning."""
    events = Event.objects.filter(
        LOW_ENROLMENT_DECISION.q(now=now, passed=True),
        status=EventStatus.SCHEDULED,
        enrolment_decided_at__isnull=True,
        first_start__gt=now,
    )
    cancelled = 0
    for event in events:
        cancelled += event_enrolment_decide(event=event, now=now)
    return cancelled


@rule("preparation_emails")
def preparation_emails(now: datetime) -> int:
    """At the registration cutoff, send each confirmed trainee the preparation email (once:
    the outbox row is the record): schedule, requirements, homework, the video-conference
    link and an .ics. Written when due, so it carries the event's latest details; not sent
    once the event has started."""
    sent = Message.objects.filter(
        kind="preparation", object_type="registration", object_id=OuterRef("pk")
    )
    registrations = (
        Registration.objects.filter(
            REGISTRATION_CUTOFF.q(now=now, passed=True, prefix="event__"),
            status=RegistrationStatus.CONFIRMED,
            event__status=EventStatus.SCHEDULED,
            event__first_start__gt=now,
        )
        .exclude(Exists(sent))
        .select_related("event", "trainee")
    )
    queued = 0
    for registration in registrations:
        emails.to_trainee("preparation", registration, now=now, attach_ics=True)
        queued += 1
    return queued


@rule("team_details_reminders")
def team_details_reminders(now: datetime) -> int:
    """`TEAM_DETAILS_REMINDER_DAYS` before the cutoff, remind each trainee whose team
    registration still waits for their details (once: the outbox row is the record). The
    database narrows to cutoffs within the span plus a day (a daylight-saving change moves
    the local reminder by at most an hour); the exact instant is computed per event."""
    days = settings.LECTERN["TEAM_DETAILS_REMINDER_DAYS"]
    reminded = Message.objects.filter(
        kind="team_details_reminder", object_type="registration", object_id=OuterRef("pk")
    )
    registrations = (
        Registration.objects.filter(
            REGISTRATION_CUTOFF.q(now=now, passed=False, prefix="event__"),
            event__registration_closes_at__lte=now + timedelta(days=days + 1),
            status=RegistrationStatus.PENDING_DETAILS,
        )
        .exclude(Exists(reminded))
        .select_related("event", "trainee")
    )
    queued = 0
    for registration in registrations:
        if now < team_details_reminder_at(registration.event):
            continue
        emails.to_trainee(
            "team_details_reminder",
            registration,
            now=now,
            details_url=details_url(registration),
        )
        queued += 1
    return queued


def details_overdue(now: datetime) -> QuerySet[Registration]:
    """Team registrations still waiting for their trainee's details after the cutoff: few
    among all, found through the partial index `registration_pending_details`."""
    return Registration.objects.filter(
        REGISTRATION_CUTOFF.q(now=now, passed=True, prefix="event__"),
        status=RegistrationStatus.PENDING_DETAILS,
    )


@rule("team_details_release")
def team_details_release(now: datetime) -> int:
    """At the cutoff, release each team registration whose trainee did not complete their
    details: place and seat back, not counted as a withdrawal. Catches up after downtime."""
    return sum(registration_release(registration=r, now=now) for r in details_overdue(now))


@rule("waitlist_offer_expiry")
def waitlist_offer_expiry(now: datetime) -> int:
    """End offers not accepted within 48 hours (or by the cutoff); offer the next in line."""
    return waitlist_expire(now=now)


@rule("social_event_suggestion", every=timedelta(hours=6))
def social_event_suggestion(now: datetime) -> int:
    """Once a quarter, suggest a local social event to coordinators whose trainees (this
    membership year) are spread over two or more events. Checked every six hours: it reads
    every active membership's registrations, and hours do not matter to it."""
    quarter = Quarter.of(now.date())
    key = f"{quarter.year}q{quarter.number}"
    today = now.date()
    spread = (
        Registration.objects.filter(
            status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED],
            membership__start_date__lte=today,
            membership__end_date__gte=today,
        )
        .values("membership_id")
        .annotate(events=Count("event", distinct=True))
        .filter(events__gte=2)
        .values("membership_id")
    )
    told = Message.objects.filter(
        kind="social_event_suggestion",
        key=key,
        object_type="membership",
        object_id=OuterRef("membership_id"),
        recipient=OuterRef("email"),
    )
    contacts = (
        MembershipContact.objects.filter(role=ContactRole.COORDINATOR, membership_id__in=spread)
        .exclude(Exists(told))
        .select_related("membership__organization")
    )
    queued = 0
    for contact in contacts:
        events = (
            Event.objects.filter(
                registrations__membership=contact.membership,
                registrations__status__in=[
                    RegistrationStatus.CONFIRMED,
                    RegistrationStatus.ATTENDED,
                ],
            )
            .distinct()
            .order_by("first_start")
        )
        message_queue(
            kind="social_event_suggestion",
            key=key,
            to=contact.email,
            name=contact.name,
            obj=contact.membership,
            now=now,
            context={"membership": contact.membership, "events": list(events)},
        )
        queued += 1
    return queued


@rule("housekeeping")
def housekeeping(now: datetime) -> int:
    """Forget rate-limit counters after a day, and idempotency records after theirs."""
    forgotten = rate_counts_forget(before=now - timedelta(days=1))
    hours = settings.LECTERN["IDEMPOTENCY_KEY_HOURS"]
    IdempotencyRecord.objects.filter(created_at__lt=now - timedelta(hours=hours)).delete()
    return forgotten
