"""A coordinator registers their team: named people for one event, with the membership's seats.

Each person's registration holds a place and a seat with status `pending_details` until they
complete their own details and consents from their personal link (`registration_details_complete`).
They are reminded `TEAM_DETAILS_REMINDER_DAYS` before the cutoff; at the cutoff an incomplete
one is released, place and seat, without counting as a withdrawal (`registration_release`).

The coordinator is signed in and names the membership: no code is typed, so the code-guessing
limits do not apply (a campus behind one address cannot lock itself out). Every other
registration rule holds, and each person is refused on their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.emails import email_normalise
from lectern.core.errors import Conflict, DomainError, Invalid, NotFound
from lectern.core.locking import lock
from lectern.core.permissions import Principal, get_visible, require_authenticated
from lectern.core.validators import line_problem
from lectern.events.deadlines import REGISTRATION_CUTOFF
from lectern.events.models import Event
from lectern.memberships.models import Membership, SeatEntryKind
from lectern.memberships.selectors import memberships_visible_to
from lectern.memberships.services import ledger_append
from lectern.registrations import emails
from lectern.registrations.errors import AlreadyRegistered, NoSeatsLeft, RegistrationClosed
from lectern.registrations.models import Registration, RegistrationStatus, Trainee
from lectern.registrations.services.checks import (
    TraineeDetails,
    advisories_for,
    details_check,
    event_open_check,
    membership_check,
    trainee_check,
)
from lectern.registrations.services.create import submitted_details_of, trainee_for_details
from lectern.registrations.services.places import place_take, registration_end
from lectern.registrations.tokens import new_nonce

MAX_TEAM = 200  # people in one request: more than any membership has seats
NAME_MAX = Trainee._meta.get_field("name").max_length or 200


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass
class TeamResult:
    registrations: list[Registration] = field(default_factory=list)
    refused: list[tuple[Person, DomainError]] = field(default_factory=list)


def details_url(registration: Registration) -> str:
    """Where the trainee completes their details: under their personal link."""
    return f"{emails.personal_url(registration.trainee)}registrations/{registration.pk}/details/"


def team_event_check(membership: Membership, event_id: int) -> Event:
    """The event a team may be registered for: public, or in-house for this membership."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None or event.membership_id not in (None, membership.pk):
        raise Invalid.field(
            "event_id",
            gettext("There is no event %(id)s for this membership.") % {"id": event_id},
        )
    return event


def team_register(
    *,
    actor: Principal,
    membership_id: int,
    event_id: int,
    people: Sequence[Person],
    now: datetime | None = None,
) -> TeamResult:
    """Register each person for the event with a seat of the membership, status
    `pending_details`, and email them their link to complete their details. Staff and the
    membership's coordinators only (anyone else: 404)."""
    require_authenticated(actor)
    now = clock.resolve(now)
    membership = get_visible(memberships_visible_to(actor), membership_id, "membership")
    if not people:
        raise Invalid.field("people", gettext("Name at least one person (name and email address)."))
    if len(people) > MAX_TEAM:
        raise Invalid.field(
            "people", gettext("At most %(count)d people at once.") % {"count": MAX_TEAM}
        )
    team_event_check(membership, event_id)
    result = TeamResult()
    with transaction.atomic():
        locked = lock(events=[event_id], memberships=[membership.pk])
        event, membership = locked.events[event_id], locked.memberships[membership.pk]
        for person in people:
            try:
                with transaction.atomic():
                    result.registrations.append(
                        _register_one(actor, event, membership, person, now)
                    )
            except DomainError as error:
                # The savepoint undid the rows; the locked objects in memory may be ahead.
                event.refresh_from_db()
                membership.refresh_from_db()
                result.refused.append((person, error))
    return result


def _register_one(
    actor: Principal, event: Event, membership: Membership, person: Person, now: datetime
) -> Registration:
    name = person.name.strip()
    if not name:
        raise Invalid.field("name", gettext("Give the person's name."))
    if problem := line_problem(name, NAME_MAX):
        raise Invalid.field("name", problem)
    email = email_normalise(person.email)
    event_open_check(event, now, "")
    membership_check(membership, event, now, "")
    organisation = membership.organization
    typed = TraineeDetails(
        name=name,
        email=email,
        affiliation=organisation.name,
        country=str(organisation.country),
        technologies=[],
        usage_frequency="",
        carpentries_experience=[],
        accept_code_of_conduct=False,
        accept_privacy=False,
    )
    trainee = trainee_for_details(typed, now)
    if trainee.erased_at is not None or trainee.merged_into_id is not None:
        raise Conflict(
            gettext("This address cannot be registered; ask programme staff."), code="conflict"
        )
    trainee_check(trainee, now, "")
    place_take(event, now)
    if membership.seats_available < 1:
        raise NoSeatsLeft(gettext("The membership has no seats left for this person."))
    try:
        with transaction.atomic():
            registration = Registration.objects.create(
                event=event,
                membership=membership,
                trainee=trainee,
                status=RegistrationStatus.PENDING_DETAILS,
                manage_nonce=new_nonce(),
                advisories=advisories_for(typed, event, membership),
                submitted_details={"name": name, "affiliation": organisation.name},
                created_at=now,
                changed_at=now,
            )
    except IntegrityError:
        raise AlreadyRegistered(gettext("This person already holds a registration.")) from None
    ledger_append(
        membership=membership,
        kind=SeatEntryKind.RESERVED,
        delta=1,
        actor=actor,
        at=now,
        reason=f"team registration for event {event.pk}",
        registration_id=registration.pk,
    )
    audit_log(actor=actor, action="team_registration_created", obj=registration, at=now, data={})
    emails.to_trainee(
        "team_registration",
        registration,
        now=now,
        coordinator=actor.label,
        organisation=organisation.name,
        details_url=details_url(registration),
        reminder_days=settings.LECTERN["TEAM_DETAILS_REMINDER_DAYS"],
    )
    return registration


@transaction.atomic
def registration_details_complete(
    *,
    actor: Principal,
    registration: Registration,
    details: TraineeDetails,
    now: datetime | None = None,
) -> Registration:
    """The trainee completes a team registration from their personal link (or staff for
    them): the registration is confirmed. A trainee created by the team registration takes
    these details as their own (their link proves the mailbox); an existing trainee's stored
    details stay, and the personal page offers to use these."""
    if not (actor.is_staff or actor.acts_as_trainee(registration.trainee_id)):
        raise NotFound(f"No registration with id {registration.pk} is visible to you.")
    now = clock.resolve(now)
    trainee = Trainee.objects.get(pk=registration.trainee_id)
    details = details_check(replace(details, email=trainee.email))
    locked = lock(
        events=[registration.event_id],
        memberships=[registration.membership_id],
        registrations=[registration.pk],
    )
    registration = locked.registrations[registration.pk]
    event = locked.events[registration.event_id]
    if registration.status != RegistrationStatus.PENDING_DETAILS:
        raise Conflict(gettext("These details are already complete."), code="details_complete")
    if REGISTRATION_CUTOFF.passed(event, now):
        raise RegistrationClosed(gettext("Registration for this event has closed."))
    registration.status = RegistrationStatus.CONFIRMED
    registration.submitted_details = submitted_details_of(details)
    membership = locked.memberships[registration.membership_id]
    registration.advisories = advisories_for(details, event, membership)
    registration.changed_at = now
    registration.save(update_fields=["status", "submitted_details", "advisories", "changed_at"])
    if not trainee.technologies:  # created by the team registration: nothing of theirs yet
        values = submitted_details_of(details)
        Trainee.objects.filter(pk=trainee.pk, erased_at__isnull=True).update(**values)
    audit_log(actor=actor, action="registration_details_completed", obj=registration, at=now)
    registration.trainee.refresh_from_db()
    emails.to_trainee("registration_confirmed", registration, now=now)
    return registration


@transaction.atomic
def registration_release(*, registration: Registration, now: datetime | None = None) -> bool:
    """At the cutoff, give back the place and the seat of a team registration whose trainee
    did not complete their details. Not a withdrawal: it does not count against the trainee.
    Return whether it was released (False when it was completed or changed meanwhile)."""
    now = clock.resolve(now)
    system = Principal.as_system()
    locked = lock(
        events=[registration.event_id],
        memberships=[registration.membership_id],
        registrations=[registration.pk],
    )
    registration = locked.registrations[registration.pk]
    if registration.status != RegistrationStatus.PENDING_DETAILS:
        return False
    registration_end(
        registration,
        status=RegistrationStatus.RELEASED,
        event=locked.events[registration.event_id],
        membership=locked.memberships[registration.membership_id],
        actor=system,
        now=now,
        reason="details not completed by the cutoff",
    )
    audit_log(actor=system, action="registration_released", obj=registration, at=now)
    emails.to_trainee("team_registration_released", registration, now=now)
    return True
