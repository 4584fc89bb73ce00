"""Scheduled rules after the training: attendance reminders to trainers and the closing of
attendance; checkout reminders before the deadline, then expiry."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from lectern.checkout.attendance import attendances_close
from lectern.checkout.models import REQUIREMENT_LABELS, Checkout, CheckoutStatus, StepState
from lectern.checkout.services import checkouts_expire
from lectern.events.deadlines import ATTENDANCE_CLOSING, ATTENDANCE_REMINDER, checkout_reminder_at
from lectern.events.models import Event, EventStatus
from lectern.notifications.models import Message
from lectern.notifications.scheduler import rule
from lectern.notifications.services import message_queue
from lectern.registrations import emails
from lectern.registrations.models import RegistrationStatus


@rule("checkout_reminders")
def checkout_reminders(now: datetime) -> int:
    """Remind trainees `CHECKOUT_REMINDER_DAYS` before their checkout deadline ends
    (`events.deadlines.checkout_reminder_at`: calendar days in the event's zone). A reminder
    missed during downtime is sent late, until the next one is due; after an extension, the
    reminders start again for the new deadline."""
    today = now.date()
    reminder_days = sorted(settings.LECTERN["CHECKOUT_REMINDER_DAYS"], reverse=True)
    queued = 0
    for index, days in enumerate(reminder_days):
        until = reminder_days[index + 1] if index + 1 < len(reminder_days) else 0
        # Dates narrow the rows (a zone's day is within a day of UTC's); the instants decide.
        checkouts = Checkout.objects.filter(
            status=CheckoutStatus.IN_PROGRESS,
            deadline__lte=today + timedelta(days=days + 1),
            deadline__gte=today + timedelta(days=until - 1),
        )
        due = [
            checkout
            for checkout in checkouts.select_related("registration__event", "registration__trainee")
            if checkout_reminder_at(checkout.deadline, checkout.registration.event.timezone, days)
            <= now
            < checkout_reminder_at(checkout.deadline, checkout.registration.event.timezone, until)
        ]
        sent = set(
            Message.objects.filter(
                kind="checkout_reminder",
                key__startswith=f"{days}d_",
                object_type="checkout",
                object_id__in=[c.pk for c in due],
            ).values_list("object_id", "key")
        )
        for checkout in due:
            key = f"{days}d_{checkout.deadline:%Y%m%d}"
            if (checkout.pk, key) in sent:
                continue
            open_steps = [  # translated when the email is written, in its language
                REQUIREMENT_LABELS.get(s.requirement)
                or s.requirement.replace("_", " ").capitalize()
                for s in checkout.steps.exclude(state=StepState.PASSED)
            ]
            emails.to_trainee(
                "checkout_reminder",
                checkout.registration,
                key=key,
                about=checkout,
                now=now,
                days=days,
                deadline=checkout.deadline,
                open_steps=open_steps,
            )
            queued += 1
    return queued


@rule("checkout_expiry")
def checkout_expiry(now: datetime) -> int:
    """Expire checkouts at the end of their deadline day (in the event's zone)."""
    return checkouts_expire(now=now)


@rule("attendance_due")
def attendance_due(now: datetime) -> int:
    """Remind each trainer of an event that has ended while registrations still wait for a
    result: at the end ("end") and `ATTENDANCE_REMINDER_DAYS` later ("3d"). A reminder
    missed during downtime is sent late, until the next one is due; none goes after the
    closing (`ATTENDANCE_CLOSING`), when attendance decides itself."""
    events = (
        Event.objects.filter(ATTENDANCE_CLOSING.q(now=now, passed=False))
        .filter(status=EventStatus.SCHEDULED, last_end__lte=now)
        .prefetch_related("trainers")
    )
    queued = 0
    for event in events:
        waiting = event.registrations.filter(status=RegistrationStatus.CONFIRMED).count()
        if not waiting:
            continue
        later = ATTENDANCE_REMINDER.at(event) <= now
        key = f"{ATTENDANCE_REMINDER.days}d" if later else "end"
        roster_url = f"{settings.BASE_URL}/events/{event.pk}/roster/"
        for trainer in event.trainers.all():
            queued += (
                message_queue(
                    kind="attendance_due",
                    key=key,
                    to=trainer.email,
                    name=trainer.name,
                    obj=event,
                    now=now,
                    expires_at=ATTENDANCE_CLOSING.at(event),
                    context={
                        "event": event,
                        "waiting": waiting,
                        "final": later,
                        "roster_url": roster_url,
                        "import_url": f"{roster_url}import/",
                        "closing_words": ATTENDANCE_CLOSING.words(event),
                    },
                )
                is not None
            )
    return queued


@rule("attendance_closing")
def attendance_closing(now: datetime) -> int:
    """At an event's end + `ATTENDANCE_CLOSING_DAYS` the event completes: registrations still
    without a result fail (a no-show when nothing was recorded), and the trainees are told.
    An event whose closing was missed during downtime closes at the next tick."""
    return attendances_close(now=now)
