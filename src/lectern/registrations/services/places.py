"""An event's places: taken by confirmed registrations, held by waiting-list offers.

`Event.places_taken` is the running count of confirmed registrations, changed only here,
under the event's row lock (`core.locking.lock`).
"""

from __future__ import annotations

from datetime import datetime

from lectern.events.models import Event
from lectern.registrations.errors import EventFull
from lectern.registrations.models import WaitlistEntry, WaitlistStatus


def places_held_by_offers(event: Event, now: datetime) -> int:
    """Places offered to the waiting list and not yet accepted: an offer holds its place
    until it is accepted or it expires, whether or not the expiry rule has run."""
    return WaitlistEntry.objects.filter(
        event=event, status=WaitlistStatus.OFFERED, offer_expires_at__gt=now
    ).count()


def places_free(event: Event, now: datetime) -> int:
    """Places nobody has taken and no offer holds."""
    return max(event.capacity - event.places_taken - places_held_by_offers(event, now), 0)


def place_take(event: Event, now: datetime) -> None:
    """Take a place for a registration; places held by offers count as taken."""
    if places_free(event, now) < 1:
        raise EventFull()
    event.places_taken += 1
    event.save(update_fields=["places_taken"])


def place_free(event: Event) -> None:
    """Give back a registration's place."""
    event.places_taken = max(event.places_taken - 1, 0)
    event.save(update_fields=["places_taken"])
