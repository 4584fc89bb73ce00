"""The waiting list: join a full event; when a place frees before the cutoff, the first in
line is offered it for 48 hours (or until the cutoff); accepting registers them.

An offer holds its place until it is accepted or expires (`places.places_held_by_offers`)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.errors import Conflict, NotFound
from lectern.core.locking import lock
from lectern.core.permissions import Principal
from lectern.events.models import Event, EventStatus
from lectern.events.selectors import registration_cutoff
from lectern.memberships.models import Membership
from lectern.notifications.services import message_queue
from lectern.registrations import emails
from lectern.registrations.models import Trainee, WaitlistEntry, WaitlistStatus
from lectern.registrations.services.checks import (
    TraineeDetails,
    code_check,
    details_check,
    event_open_check,
    membership_check,
)
from lectern.registrations.services.create import (
    Created,
    registration_create,
    submitted_details_of,
    trainee_for_details,
)
from lectern.registrations.services.places import places_free


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def waitlist_position(entry: WaitlistEntry) -> int:
    return WaitlistEntry.objects.filter(
        event_id=entry.event_id,
        status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED],
        created_at__lte=entry.created_at,
        id__lte=entry.pk,
    ).count()


def waitlist_join(
    *,
    actor: Principal,
    event_id: int,
    code: str,
    details: TraineeDetails,
    client: str = "",
    now: datetime | None = None,
) -> WaitlistEntry:
    """Join a full event's waiting list with a valid code."""
    now = clock.resolve(now)
    details = details_check(details)
    membership_id = code_check(actor=actor, event_id=event_id, code=code, client=client, now=now)
    with transaction.atomic():
        event = lock(events=[event_id]).events[event_id]
        event_open_check(event, now, "")
        membership_check(Membership.objects.get(pk=membership_id), event, now, "")
        if places_free(event, now) > 0:
            raise Conflict(
                gettext("This event still has places: register instead."), code="event_not_full"
            )
        trainee = trainee_for_details(details, now)
        try:
            with transaction.atomic():
                entry = WaitlistEntry.objects.create(
                    event=event,
                    membership_id=membership_id,
                    trainee=trainee,
                    submitted_details=submitted_details_of(details),
                    created_at=now,
                )
        except IntegrityError:
            raise Conflict(
                gettext("You are already on this event's waiting list."), code="already_waiting"
            ) from None
        message_queue(
            kind="waitlist_joined",
            to=trainee.email,
            name=trainee.name,
            obj=entry,
            now=now,
            context={
                **emails.event_context(event, trainee.timezone),
                "personal_url": emails.personal_url(trainee),
                "position": waitlist_position(entry),
                "offer_hours": settings.LECTERN["WAITLIST_OFFER_HOURS"],
            },
        )
    return entry


def submitted_details_of_trainee(trainee: Trainee) -> dict[str, Any]:
    """A trainee's stored details in the shape kept with registrations (older entries, made
    before details were kept with them, fall back to these)."""
    return {
        "name": trainee.name,
        "affiliation": trainee.affiliation,
        "country": str(trainee.country),
        "technologies": trainee.technologies,
        "usage_frequency": trainee.usage_frequency,
        "carpentries_experience": trainee.carpentries_experience,
        "teaching_experience": trainee.teaching_experience,
        "timezone": trainee.timezone,
        "directory_consent": trainee.directory_consent,
    }


@transaction.atomic
def waitlist_leave(*, actor: Principal, entry: WaitlistEntry, now: datetime | None = None) -> None:
    """The trainee (their personal link) or staff take an entry off the waiting list."""
    if not (actor.is_staff or actor.trainee_id == entry.trainee_id):
        raise NotFound(gettext("No such waiting-list entry."))
    now = clock.resolve(now)
    updated = WaitlistEntry.objects.filter(
        pk=entry.pk, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]
    ).update(status=WaitlistStatus.ENDED, offer_digest="")
    if not updated:
        raise Conflict(gettext("This waiting-list entry has already ended."), code="waitlist_ended")
    audit_log(actor=actor, action="waitlist_left", obj=entry, at=now)
    entry.refresh_from_db()
    if entry.offered_at is not None:
        waitlist_offer_next(event=entry.event, now=now)


def waitlist_offer_next(*, event: Event, now: datetime) -> int:
    """Offer freed places to the first in line, while registration is open. Called, inside
    their transaction, by the services that free a place, and by the expiry rule."""
    cutoff = registration_cutoff(event)
    if event.status != EventStatus.SCHEDULED or now >= cutoff:
        return 0
    free = places_free(event, now)
    offered = 0
    hours = settings.LECTERN["WAITLIST_OFFER_HOURS"]
    for entry in (
        WaitlistEntry.objects.select_related("trainee")
        .filter(event=event, status=WaitlistStatus.WAITING)
        .order_by("created_at", "id")[:free]
    ):
        raw = secrets.token_urlsafe(24)
        entry.status = WaitlistStatus.OFFERED
        entry.offered_at = now
        entry.offer_expires_at = min(now + timedelta(hours=hours), cutoff)
        entry.offer_digest = _digest(raw)
        entry.save(update_fields=["status", "offered_at", "offer_expires_at", "offer_digest"])
        message_queue(
            kind="waitlist_offer",
            to=entry.trainee.email,
            name=entry.trainee.name,
            obj=entry,
            now=now,
            context={
                **emails.event_context(event, entry.trainee.timezone),
                "personal_url": emails.personal_url(entry.trainee),
                "expires_at": entry.offer_expires_at,
                "accept_url": f"{settings.BASE_URL}/waitlist/{raw}/",
            },
        )
        offered += 1
    return offered


def waitlist_offer_for(raw: str) -> WaitlistEntry:
    entry = (
        WaitlistEntry.objects.select_related("event", "trainee")
        .filter(offer_digest=_digest(raw))
        .first()
        if raw
        else None
    )
    if entry is None:
        raise NotFound(gettext("This waiting-list offer does not exist."), code="offer_not_found")
    return entry


def waitlist_accept(*, raw: str, now: datetime | None = None) -> Created:
    """Accept an offer: register the trainee, the membership's seat checked now."""
    now = clock.resolve(now)
    entry = waitlist_offer_for(raw)
    if entry.status != WaitlistStatus.OFFERED or (
        entry.offer_expires_at is not None and entry.offer_expires_at <= now
    ):
        raise Conflict(gettext("This offer has expired or was already used."), code="offer_expired")
    trainee = entry.trainee
    given = {**submitted_details_of_trainee(trainee), **entry.submitted_details}
    details = TraineeDetails(
        name=given["name"],
        email=trainee.email,
        affiliation=given["affiliation"],
        country=str(given["country"]),
        technologies=given["technologies"],
        usage_frequency=given["usage_frequency"],
        carpentries_experience=given["carpentries_experience"],
        accept_code_of_conduct=True,
        accept_privacy=True,
        teaching_experience=given["teaching_experience"],
        directory_consent=given["directory_consent"],
        timezone=given["timezone"],
    )
    with transaction.atomic():
        WaitlistEntry.objects.filter(pk=entry.pk).update(status=WaitlistStatus.ACCEPTED)
        created = registration_create(
            actor=Principal.as_system(),
            event_id=entry.event_id,
            code=entry.membership.registration_code,
            details=details,
            now=now,
        )
        WaitlistEntry.objects.filter(pk=entry.pk).update(registration=created.registration)
    return created


def waitlist_expire(*, now: datetime) -> int:
    """End offers not accepted in time and pass the place to the next in line."""
    expired = 0
    for entry in WaitlistEntry.objects.select_related("event").filter(
        status=WaitlistStatus.OFFERED, offer_expires_at__lte=now
    ):
        with transaction.atomic():
            event = lock(events=[entry.event_id]).events[entry.event_id]
            if WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistStatus.OFFERED).update(
                status=WaitlistStatus.EXPIRED
            ):
                expired += 1
                waitlist_offer_next(event=event, now=now)
    return expired


def waitlist_end(*, event: Event, now: datetime) -> int:
    """End an event's waiting list (the event was cancelled), telling those on it."""
    ended = 0
    for entry in WaitlistEntry.objects.select_related("trainee").filter(
        event=event, status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]
    ):
        entry.status = WaitlistStatus.ENDED
        entry.save(update_fields=["status"])
        message_queue(
            kind="waitlist_ended",
            to=entry.trainee.email,
            name=entry.trainee.name,
            obj=entry,
            now=now,
            context={
                **emails.event_context(event, entry.trainee.timezone),
                "personal_url": emails.personal_url(entry.trainee),
                "calendar_url": f"{settings.BASE_URL}/calendar/",
            },
        )
        ended += 1
    return ended
