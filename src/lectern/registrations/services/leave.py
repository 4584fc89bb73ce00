"""A trainee leaving the programme (their data is being erased): end what still runs.

A confirmed registration is withdrawn and its seat released to the membership whatever the
cutoff says (nothing is forfeited: the trainee is leaving, not changing their mind late), and
waiting-list entries end, each place freed being offered to the next in line. Nobody is emailed:
the trainee asked to leave, and their address is about to be blanked.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.locking import lock
from lectern.core.permissions import Principal
from lectern.registrations.models import (
    HOLDING,
    Registration,
    RegistrationStatus,
    Trainee,
    WaitlistEntry,
    WaitlistStatus,
)
from lectern.registrations.services.places import registration_end
from lectern.registrations.services.waitlist import waitlist_offer_next


@transaction.atomic
def trainee_leave(
    *, actor: Principal, trainee: Trainee, reason: str, now: datetime | None = None
) -> int:
    """Withdraw the trainee's confirmed registrations (seats released) and end their
    waiting-list entries; return how many registrations were withdrawn."""
    now = clock.resolve(now)
    confirmed = list(
        Registration.objects.filter(trainee=trainee, status__in=HOLDING).values(
            "pk", "event_id", "membership_id"
        )
    )
    open_entries = list(
        WaitlistEntry.objects.filter(
            trainee=trainee, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]
        ).values_list("pk", "event_id")
    )
    events = {r["event_id"] for r in confirmed} | {event_id for _, event_id in open_entries}
    locked = lock(
        events=events,
        memberships={r["membership_id"] for r in confirmed},
        registrations=[r["pk"] for r in confirmed],
    )
    withdrawn = 0
    for registration in locked.registrations.values():
        if not registration.holds_place:
            continue
        registration_end(
            registration,
            status=RegistrationStatus.WITHDRAWN,
            event=locked.events[registration.event_id],
            membership=locked.memberships[registration.membership_id],
            actor=actor,
            now=now,
            reason=reason,
        )
        audit_log(
            actor=actor, action="registration_withdrawn", obj=registration, at=now, reason=reason
        )
        withdrawn += 1
    WaitlistEntry.objects.filter(pk__in=[pk for pk, _ in open_entries]).update(
        status=WaitlistStatus.ENDED
    )
    for event in locked.events.values():
        waitlist_offer_next(event=event, now=now)
    return withdrawn
