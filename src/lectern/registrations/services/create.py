"""Registering a trainee for an event: one place on the event, one seat on the membership."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction

from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.locking import lock
from lectern.core.permissions import Principal
from lectern.memberships.models import SeatEntryKind
from lectern.memberships.services import ledger_append
from lectern.registrations import emails
from lectern.registrations.errors import AlreadyRegistered, NoSeatsLeft
from lectern.registrations.models import Registration, Trainee
from lectern.registrations.services.checks import (
    TraineeDetails,
    advisories_for,
    code_check,
    details_check,
    event_open_check,
    membership_check,
    override_check,
    trainee_check,
)
from lectern.registrations.services.places import place_take
from lectern.registrations.tokens import manage_token, new_nonce

logger = logging.getLogger(__name__)


@dataclass
class Created:
    registration: Registration
    manage_token: str
    advisories: list[str] = field(default_factory=list)


def submitted_details_of(details: TraineeDetails) -> dict[str, Any]:
    """The details typed with a registration or a waiting-list join, as kept with it."""
    return {
        "name": details.name,
        "affiliation": details.affiliation,
        "country": details.country,
        "technologies": list(details.technologies),
        "usage_frequency": details.usage_frequency,
        "carpentries_experience": list(details.carpentries_experience),
        "teaching_experience": details.teaching_experience,
        "timezone": details.timezone,
        "directory_consent": details.directory_consent,
    }


def trainee_for_details(details: TraineeDetails, now: datetime) -> Trainee:
    """The trainee with this address: an existing one exactly as stored (a typed address proves
    nothing, so it never rewrites them), or a new one created from these details.

    One INSERT that does nothing on a known address, then one SELECT: concurrent first
    registrations of one address still make a single trainee."""
    values = submitted_details_of(details)
    Trainee.objects.bulk_create(
        [Trainee(created_at=now, email=details.email, **values)], ignore_conflicts=True
    )
    return Trainee.objects.get(email=details.email)


def registration_create(
    *,
    actor: Principal,
    event_id: int,
    code: str,
    details: TraineeDetails,
    client: str = "",
    override_reason: str = "",
    now: datetime | None = None,
) -> Created:
    """Register a trainee for an event with their organisation's code, holding one seat."""
    now = clock.resolve(now)
    details = details_check(details)
    override = override_check(actor, override_reason)
    membership_id = code_check(actor=actor, event_id=event_id, code=code, client=client, now=now)
    with transaction.atomic():
        locked = lock(events=[event_id], memberships=[membership_id])
        event, membership = locked.events[event_id], locked.memberships[membership_id]
        event_open_check(event, now, override)
        membership_check(membership, event, now, override)
        trainee = trainee_for_details(details, now)
        trainee_check(trainee, now, override, event_id=event.pk)
        place_take(event, now)
        if membership.seats_available < 1:
            raise NoSeatsLeft()
        advisories = advisories_for(details, event, membership)
        try:
            with transaction.atomic():
                registration = Registration.objects.create(
                    event=event,
                    membership=membership,
                    trainee=trainee,
                    manage_nonce=new_nonce(),
                    advisories=advisories,
                    submitted_details=submitted_details_of(details),
                    override_reason=override,
                    created_at=now,
                    changed_at=now,
                )
        except IntegrityError:
            raise AlreadyRegistered() from None
        ledger_append(
            membership=membership,
            kind=SeatEntryKind.RESERVED,
            delta=1,
            actor=actor,
            at=now,
            reason=f"registration for event {event.pk}",
            registration_id=registration.pk,
        )
        audit_log(
            actor=actor, action="registration_created", obj=registration, at=now, reason=override
        )
        emails.to_trainee("registration_confirmed", registration, now=now, attach_ics=True)
    # Ids only: the log line carries the request's id, never the person.
    logger.info(
        "registration %s created: trainee %s, event %s, membership %s",
        registration.pk,
        trainee.pk,
        event.pk,
        membership.pk,
    )
    return Created(
        registration, manage_token(registration.pk, registration.manage_nonce), advisories
    )
