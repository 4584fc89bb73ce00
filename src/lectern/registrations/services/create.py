"""Registering a trainee for an event: one place on the event, one seat on the membership."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from django.db import IntegrityError, connection, transaction

from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.locking import lock
from lectern.core.permissions import Principal
from lectern.core.rows import row_insert, row_upsert
from lectern.memberships.models import SeatEntryKind
from lectern.memberships.services import ledger_take
from lectern.registrations import emails
from lectern.registrations.errors import AlreadyRegistered, EventFull, NoSeatsLeft
from lectern.registrations.models import HOLDING, Registration, RegistrationStatus, Trainee
from lectern.registrations.services.checks import (
    TraineeDetails,
    advisories_for,
    code_attempt,
    details_check,
    event_open_check,
    membership_check,
    override_check,
    standing_check,
    trainee_check,
    withdrawals_since,
)
from lectern.registrations.services.places import place_claim, places_free
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


# What `standing_check` needs, read with the trainee's row (over `registrations_trainee`):
# the event of a registration they hold (`HOLDING`), and their recent endings.
STANDING = (
    ", (SELECT held.event_id FROM registrations_registration AS held "
    "WHERE held.trainee_id = registrations_trainee.id "
    "AND held.status IN ('confirmed', 'pending_details') LIMIT 1) AS held_event_id"
    ", (SELECT COUNT(*) FROM registrations_registration AS ended "
    "WHERE ended.trainee_id = registrations_trainee.id "
    "AND ended.status IN ('withdrawn', 'forfeited') AND ended.changed_at >= %s) AS endings"
)
assert set(HOLDING) == {RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING_DETAILS}
# Known address: the row is written back as it is (the email for itself), so that it comes
# back; nothing of the trainee changes.
KNOWN_ADDRESS = "ON CONFLICT (email) DO UPDATE SET email = excluded.email"


def trainee_for_details(details: TraineeDetails, now: datetime) -> Trainee:
    """The trainee with this address: an existing one exactly as stored (a typed address proves
    nothing, so it never rewrites them), or a new one created from these details.

    One upsert that returns the row: concurrent first registrations of one address still
    make a single trainee."""
    new = Trainee(created_at=now, email=details.email, **submitted_details_of(details))
    return row_upsert(new, on_conflict=KNOWN_ADDRESS)


def _trainee_standing(
    details: TraineeDetails, now: datetime, override: str, event_id: int
) -> Trainee:
    """`trainee_for_details`, with `standing_check` on what the same statement read."""
    new = Trainee(created_at=now, email=details.email, **submitted_details_of(details))
    since = connection.ops.adapt_datetimefield_value(withdrawals_since(now))
    trainee = row_upsert(new, on_conflict=KNOWN_ADDRESS, returning=STANDING, params=[since])
    standing_check(
        held_event_id=trainee.held_event_id,  # type: ignore[attr-defined]
        endings=trainee.endings,  # type: ignore[attr-defined]
        override=override,
        event_id=event_id,
    )
    return trainee


class _Contended(Exception):
    """The place or the seat was refused by its one-statement take: roll back and let the
    checks in their order, under locks, say why."""


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
    """Register a trainee for an event with their organisation's code, holding one seat.

    The usual registration is one transaction of a few statements: the code with the
    failures counted (`code_attempt`), the place and the seat each taken by one guarded
    UPDATE that also holds its row (`place_claim`, `ledger_take`), the trainee's upsert with
    what their checks need, then the registration, its ledger entry, its audit entry and its
    email. Each check runs on the rows as those statements return them, in the order below.
    When the place or the seat is refused, that transaction is rolled back and another runs
    the checks in their order under locks (cancelled, closed, membership, already
    registered, withdrawals, full, seats), so the refusal is always the first that applies."""
    now = clock.resolve(now)
    details = details_check(details)
    override = override_check(actor, override_reason)
    register = partial(
        _register, actor=actor, event_id=event_id, details=details, override=override, now=now
    )
    try:
        with transaction.atomic():
            attempt = code_attempt(
                actor=actor, event_id=event_id, code=code, client=client, now=now
            )
            # A refused code leaves this block normally: the failure it counted is committed.
            refused = attempt.refusal is not None
            created = None if refused else register(membership_id=attempt.membership_id)
    except _Contended:
        with transaction.atomic():
            created = register(membership_id=attempt.membership_id, careful=True)
    if created is None:
        assert attempt.refusal is not None
        raise attempt.refusal
    # Ids only: the log line carries the request's id, never the person.
    registration = created.registration
    logger.info(
        "registration %s created: trainee %s, event %s, membership %s",
        registration.pk,
        registration.trainee_id,
        event_id,
        registration.membership_id,
    )
    return created


def _register(
    *,
    actor: Principal,
    event_id: int,
    membership_id: int,
    details: TraineeDetails,
    override: str,
    now: datetime,
    careful: bool = False,
) -> Created:
    if careful:
        _refuse_in_order(
            event_id=event_id,
            membership_id=membership_id,
            details=details,
            override=override,
            now=now,
        )
    event = place_claim(event_id, now)
    if event is None:
        raise EventFull() if careful else _Contended()
    event_open_check(event, now, override)
    seat = ledger_take(membership_id=membership_id, kind=SeatEntryKind.RESERVED, delta=1)
    if seat is None:
        raise NoSeatsLeft() if careful else _Contended()
    membership = seat.membership
    membership_check(membership, event, now, override)
    trainee = _trainee_standing(details, now, override, event_id)
    advisories = advisories_for(details, event, membership)
    registration = Registration(
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
    try:
        row_insert(registration)
    except IntegrityError:  # a concurrent registration of the same trainee
        raise AlreadyRegistered() from None
    seat.record(
        actor=actor,
        at=now,
        reason=f"registration for event {event.pk}",
        registration_id=registration.pk,
    )
    audit_log(actor=actor, action="registration_created", obj=registration, at=now, reason=override)
    emails.to_trainee("registration_confirmed", registration, now=now)
    return Created(
        registration, manage_token(registration.pk, registration.manage_nonce), advisories
    )


def _refuse_in_order(
    *, event_id: int, membership_id: int, details: TraineeDetails, override: str, now: datetime
) -> None:
    """Lock the event and the membership and refuse as the first check that fails says;
    return when none does (what refused a moment ago has been freed)."""
    locked = lock(events=[event_id], memberships=[membership_id])
    event, membership = locked.events[event_id], locked.memberships[membership_id]
    event_open_check(event, now, override)
    membership_check(membership, event, now, override)
    trainee_check(trainee_for_details(details, now), now, override, event_id=event_id)
    if places_free(event, now) < 1:
        raise EventFull()
    if membership.seats_available < 1:
        raise NoSeatsLeft()
