"""What an event's change means for its registrations (see `events/changes.py`).

- A change of sessions that starts the event after a registered trainee's membership ends
  needs a staff reason.
- Every confirmed trainee and everyone on the waiting list is told (`event_changed`, keyed
  on the change's sequence); confirmed trainees get the updated invitation.
- After a change of sessions its confirmed trainees may withdraw or move without forfeiting
  until the change plus `CHANGE_FREE_WITHDRAWAL_HOURS` (`Registration.free_change_until`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from lectern.events.changes import (
    KIND,
    EventChange,
    change_check_register,
    change_listener_register,
    invitation_files,
)
from lectern.events.models import Event
from lectern.notifications.services import message_queue
from lectern.registrations import emails
from lectern.registrations.models import (
    HOLDING,
    Registration,
    WaitlistEntry,
    WaitlistStatus,
)

# Those holding a place: confirmed, and a coordinator's team registration still awaiting the
# trainee's details (they planned around the dates too).
HELD = HOLDING


@change_check_register
def past_membership_end(event: Event, now: datetime) -> list[str]:
    grace = timedelta(days=settings.LECTERN["MEMBERSHIP_GRACE_DAYS"])
    late = (
        Registration.objects.filter(event=event, status__in=HELD)
        .select_related("membership__organization")
        .order_by("membership__end_date")
    )
    ending = {
        r.membership_id: r.membership
        for r in late
        if event.first_local_date > r.membership.end_date + grace
    }
    return [
        f"the event now starts after the membership of {m.organization.name} ends "
        f"({m.end_date:%d %B %Y}), and its trainees are registered"
        for m in ending.values()
    ]


@change_listener_register
def tell_registrations(change: EventChange) -> None:
    event, now = change.event, change.at
    registrations = list(
        Registration.objects.filter(event=event, status__in=HELD)
        .select_related("trainee")
        .order_by("pk")
    )
    if change.free_until is not None:
        Registration.objects.filter(pk__in=[r.pk for r in registrations]).update(
            free_change_until=change.free_until
        )
        # an offer runs until the cutoff at the latest: the new one, if it is sooner
        WaitlistEntry.objects.filter(
            event=event,
            status=WaitlistStatus.OFFERED,
            offer_expires_at__gt=event.registration_closes_at,
        ).update(offer_expires_at=event.registration_closes_at)
    files = invitation_files(change, now)
    for registration in registrations:
        emails.to_trainee(
            KIND,
            registration,
            about=event,
            key=change.key,
            now=now,
            files=files,
            **change.context(),
            audience="trainee",
        )
    waiting = WaitlistEntry.objects.filter(
        event=event, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]
    ).select_related("trainee")
    for entry in waiting.order_by("pk"):
        message_queue(
            kind=KIND,
            key=change.key,
            to=entry.trainee.email,
            name=entry.trainee.name,
            obj=event,
            now=now,
            context={
                **emails.event_context(event, entry.trainee.timezone),
                **change.context(),
                "audience": "waitlist",
                "personal_url": emails.personal_url(entry.trainee),
            },
        )
