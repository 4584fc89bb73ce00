"""Changing a registration: move to another event, withdraw, or staff's emergency exception.

Each takes its locks once, at the start, through `core.locking.lock`: the events involved,
the registration's membership, then the registration itself.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext

from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.errors import Conflict, Invalid
from lectern.core.locking import lock
from lectern.core.permissions import Principal, require_staff
from lectern.events.deadlines import EMERGENCY_WINDOW, REGISTRATION_CUTOFF
from lectern.events.models import Event, EventStatus
from lectern.memberships.models import Membership, SeatEntryKind
from lectern.memberships.services import ledger_append
from lectern.registrations import emails
from lectern.registrations.errors import NoSeatsLeft, NotActive, RegistrationClosed
from lectern.registrations.models import Registration, RegistrationStatus
from lectern.registrations.services.checks import (
    acts_beyond_coordinator,
    event_open_check,
    free_change_open,
    membership_check,
    override_check,
    require_registration_access,
)
from lectern.registrations.services.places import place_free, place_take, registration_end
from lectern.registrations.services.waitlist import waitlist_offer_next


def _reserve_again(
    registration: Registration, membership: Membership, actor: Principal, now: datetime, reason: str
) -> None:
    if membership.seats_available < 1:
        raise NoSeatsLeft()
    ledger_append(
        membership=membership,
        kind=SeatEntryKind.RESERVED,
        delta=1,
        actor=actor,
        at=now,
        reason=reason,
        registration_id=registration.pk,
    )


@transaction.atomic
def registration_move(
    *,
    actor: Principal,
    registration: Registration,
    event_id: int,
    reason: str = "",
    now: datetime | None = None,
) -> Registration:
    """Move to another event, keeping the seat. Both cutoffs must be open (staff may
    override with a reason). A registration cancelled with its event is booked again."""
    require_registration_access(actor, registration)
    now = clock.resolve(now)
    override = override_check(actor, reason) if actor.is_staff else ""
    target = Event.objects.filter(pk=event_id).first()
    if target is None or (target.membership_id not in (None, registration.membership_id)):
        raise Invalid.field(
            "event_id", gettext("There is no event %(id)s you can move to.") % {"id": event_id}
        )
    if target.pk == registration.event_id:
        raise Invalid.field("event_id", gettext("This is already the registration's event."))
    locked = lock(
        events=[registration.event_id, target.pk],
        memberships=[registration.membership_id],
        registrations=[registration.pk],
    )
    source, target = locked.events[registration.event_id], locked.events[target.pk]
    registration = locked.registrations[registration.pk]
    rebooking = (
        registration.status == RegistrationStatus.CANCELLED
        and source.status == EventStatus.CANCELLED
    )
    if not registration.holds_place and not rebooking:
        raise NotActive()
    if not rebooking and not free_change_open(registration, source, now):
        event_open_check(source, now, override)
    event_open_check(target, now, override)
    membership = locked.memberships[registration.membership_id]
    membership_check(membership, target, now, override)
    place_take(target, now)
    if rebooking:
        _reserve_again(registration, membership, actor, now, f"rebooked on event {target.pk}")
    else:
        place_free(source)
    registration.event = target
    if rebooking:
        registration.status = RegistrationStatus.CONFIRMED
    registration.changed_at = now
    registration.free_change_until = None  # the window was the source event's
    registration.save(update_fields=["event", "status", "changed_at", "free_change_until"])
    entry = audit_log(
        actor=actor,
        action="registration_moved",
        obj=registration,
        at=now,
        reason=reason,
        data={"from": source.pk, "to": target.pk},
    )
    emails.to_trainee(
        "registration_moved",
        registration,
        about=entry,
        now=now,
        attach_ics=True,
        cancel_ics=None if rebooking else source,
        previous=source,
    )
    if not rebooking:
        waitlist_offer_next(event=source, now=now)
    return registration


def _withdrawal_reason(
    registration: Registration, event: Event, now: datetime, in_time: bool
) -> str:
    if not in_time:
        return "withdrawn after the cutoff"
    if REGISTRATION_CUTOFF.passed(event, now):
        return "withdrawn after the cutoff, within the free change after the event changed"
    return "withdrawn before the cutoff"


@transaction.atomic
def registration_withdraw(
    *,
    actor: Principal,
    registration: Registration,
    reason: str = "",
    now: datetime | None = None,
) -> Registration:
    """Withdraw: before the cutoff the seat goes back to the membership; after, it is
    forfeited (counted as used)."""
    require_registration_access(actor, registration)
    now = clock.resolve(now)
    locked = lock(
        events=[registration.event_id],
        memberships=[registration.membership_id],
        registrations=[registration.pk],
    )
    event = locked.events[registration.event_id]
    membership = locked.memberships[registration.membership_id]
    registration = locked.registrations[registration.pk]
    if not registration.holds_place:
        raise NotActive()
    # A team registration whose person never completed it is theirs to confirm, not yet
    # their withdrawal: ended at any time, it is released (place and seat back, not counted)
    pending = registration.status == RegistrationStatus.PENDING_DETAILS
    in_time = (
        pending
        or not REGISTRATION_CUTOFF.passed(event, now)
        or free_change_open(registration, event, now)
    )
    if not in_time and not acts_beyond_coordinator(actor, registration):
        words = REGISTRATION_CUTOFF.words(event)
        raise RegistrationClosed(
            f"Coordinators can withdraw a registration until {words.relation} ({words.local}); "
            "after that only the trainee can, and their seat is then used.",
        )
    if pending:
        status = RegistrationStatus.RELEASED
    else:
        status = RegistrationStatus.WITHDRAWN if in_time else RegistrationStatus.FORFEITED
    registration_end(
        registration,
        status=status,
        event=event,
        membership=membership,
        actor=actor,
        now=now,
        reason=(
            "released by a coordinator before the person completed it"
            if pending
            else _withdrawal_reason(registration, event, now, in_time)
        ),
        seat=SeatEntryKind.RELEASED if in_time else SeatEntryKind.USED,
    )
    audit_log(
        actor=actor,
        action=f"registration_{registration.status}",
        obj=registration,
        at=now,
        reason=reason,
    )
    emails.to_trainee(
        "registration_withdrawn" if in_time else "seat_forfeited",
        registration,
        now=now,
        cancel_ics=event,
    )
    if in_time:
        waitlist_offer_next(event=event, now=now)
    return registration


@transaction.atomic
def registration_emergency(
    *,
    actor: Principal,
    registration: Registration,
    reason: str,
    move_to_event_id: int | None = None,
    now: datetime | None = None,
) -> Registration:
    """Staff's emergency exception, until `EMERGENCY_WINDOW` closes: release the seat, or
    move the trainee to a future event, whatever the cutoff said."""
    require_staff(actor)
    reason = reason.strip()
    if not reason:
        raise Invalid.field("reason", "Give the reason for the exception.")
    now = clock.resolve(now)
    locked = lock(
        events=[registration.event_id] + ([move_to_event_id] if move_to_event_id else []),
        memberships=[registration.membership_id],
        registrations=[registration.pk],
    )
    source = locked.events[registration.event_id]
    if EMERGENCY_WINDOW.passed(source, now):
        words = EMERGENCY_WINDOW.words(source)
        raise Conflict(
            f"Emergency exceptions are possible until {words.relation}; for this event that "
            f"was {words.local} ({words.utc}).",
            code="emergency_window_closed",
        )
    membership = locked.memberships[registration.membership_id]
    registration = locked.registrations[registration.pk]
    if registration.status not in (RegistrationStatus.CONFIRMED, RegistrationStatus.FORFEITED):
        raise NotActive("Only a confirmed or forfeited registration can have an exception.")
    forfeited = registration.status == RegistrationStatus.FORFEITED
    if forfeited:  # the seat was counted as used: it is held again, then released or moved
        ledger_append(
            membership=membership,
            kind=SeatEntryKind.USED,
            delta=-1,
            actor=actor,
            at=now,
            reason=f"emergency exception: {reason}",
            registration_id=registration.pk,
        )
    else:
        place_free(source)
    if move_to_event_id:
        target = locked.events.get(move_to_event_id)
        if target is None or target.membership_id not in (None, registration.membership_id):
            raise Invalid.field("move_to_event_id", f"There is no event {move_to_event_id}.")
        if target.status != EventStatus.SCHEDULED or target.first_start <= now:
            raise Invalid.field("move_to_event_id", "Choose a future, scheduled event.")
        place_take(target, now)
        registration.event = target
        registration.status = RegistrationStatus.CONFIRMED
    else:
        ledger_append(
            membership=membership,
            kind=SeatEntryKind.RELEASED,
            delta=1,
            actor=actor,
            at=now,
            reason=f"emergency exception: {reason}",
            registration_id=registration.pk,
        )
        registration.status = RegistrationStatus.WITHDRAWN
    registration.changed_at = now
    registration.save(update_fields=["event", "status", "changed_at"])
    entry = audit_log(
        actor=actor,
        action="registration_emergency",
        obj=registration,
        at=now,
        reason=reason,
        data={"moved_to": move_to_event_id},
    )
    emails.to_trainee(
        "emergency_exception",
        registration,
        about=entry,
        now=now,
        attach_ics=bool(move_to_event_id),
        cancel_ics=None if forfeited else source,
        moved=bool(move_to_event_id),
    )
    return registration
