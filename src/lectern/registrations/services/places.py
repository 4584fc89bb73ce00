"""An event's places: taken by confirmed registrations, held by waiting-list offers.

`Event.places_taken` is the running count of confirmed registrations, changed only here:
a place is taken by one guarded statement (`core.locking.take`), given back under the
event's row lock (`core.locking.lock`).
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection

from lectern.core.locking import take
from lectern.core.permissions import Principal
from lectern.events.models import Event
from lectern.memberships.models import Membership, SeatEntryKind
from lectern.memberships.services import ledger_append
from lectern.registrations.errors import EventFull
from lectern.registrations.models import Registration, WaitlistEntry, WaitlistStatus


def places_held_by_offers(event: Event, now: datetime) -> int:
    """Places offered to the waiting list and not yet accepted: an offer holds its place
    until it is accepted or it expires, whether or not the expiry rule has run."""
    return WaitlistEntry.objects.filter(
        event=event, status=WaitlistStatus.OFFERED, offer_expires_at__gt=now
    ).count()


def places_free(event: Event, now: datetime) -> int:
    """Places nobody has taken and no offer holds."""
    return max(event.capacity - event.places_taken - places_held_by_offers(event, now), 0)


# The places that offers hold (`places_held_by_offers`) as SQL over the event's row, for the
# guard of `_take`.
OFFERS_HELD = (
    "SELECT COUNT(*) FROM registrations_waitlistentry AS offer "
    "WHERE offer.event_id = events_event.id AND offer.status = 'offered' "
    "AND offer.offer_expires_at > %s"
)


def _take(event_id: int, now: datetime) -> Event | None:
    at = connection.ops.adapt_datetimefield_value(now)
    return take(
        Event,
        event_id,
        add={"places_taken": 1},
        where=f"places_taken + ({OFFERS_HELD}) < capacity",
        params=[at],
    )


def place_claim(event_id: int, now: datetime) -> Event | None:
    """Take a place at an event not yet held by this transaction, in one statement, and return
    the event as it is now, held until the transaction ends; None when no place is free.

    After None the caller's transaction must not commit: on PostgreSQL a transaction that
    waited for the event's row checked the offers as they were when its statement began, so
    they are counted again once the row is held, and a place taken meanwhile is only given
    back by rolling back. (On SQLite nothing else runs meanwhile.)"""
    event = _take(event_id, now)
    if event is None or connection.vendor == "sqlite":
        return event
    with connection.cursor() as cursor:  # the guard's count, read now that the row is held
        cursor.execute(
            f"SELECT ({OFFERS_HELD}) FROM events_event WHERE id = %s",  # noqa: S608
            [connection.ops.adapt_datetimefield_value(now), event_id],
        )
        (held,) = cursor.fetchone()
    return event if event.places_taken + held <= event.capacity else None


def place_take(event: Event, now: datetime) -> None:
    """Take a place at an event this transaction holds (`core.locking.lock`); places held by
    offers count as taken."""
    taken = _take(event.pk, now)
    if taken is None:
        raise EventFull()
    event.places_taken = taken.places_taken


def place_free(event: Event) -> None:
    """Give back a registration's place."""
    event.places_taken = max(event.places_taken - 1, 0)
    event.save(update_fields=["places_taken"])


def registration_end(
    registration: Registration,
    *,
    status: str,
    event: Event | None,
    membership: Membership,
    actor: Principal,
    now: datetime,
    reason: str,
    seat: SeatEntryKind = SeatEntryKind.RELEASED,
) -> None:
    """End a registration that holds a place and a seat (the rows locked by the caller): its
    new status, its place given back (unless `event` is None: a cancelled event's places no
    longer count), its seat released to the membership or, with `seat=USED`, forfeited."""
    registration.status = status
    registration.changed_at = now
    registration.save(update_fields=["status", "changed_at"])
    if event is not None:
        place_free(event)
    ledger_append(
        membership=membership,
        kind=seat,
        delta=1,
        actor=actor,
        at=now,
        registration_id=registration.pk,
        reason=reason,
    )
