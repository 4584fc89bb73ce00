"""Registration: create, move, withdraw, emergency exceptions, and cancelling an event's.

Capacity and seats are checked and changed under locks of the rows they make less
available, always taken in the same order: events by id, then memberships by id. On SQLite
the immediate transaction takes the database's write lock first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django_countries import countries

from lectern.accounts.models import normalize_email
from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.errors import Conflict, Forbidden, Invalid, NotFound
from lectern.core.permissions import Principal, require_staff
from lectern.events.models import Event, EventStatus
from lectern.events.selectors import registration_cutoff
from lectern.events.timezones import zone
from lectern.memberships.codes import normalize_code
from lectern.memberships.models import Membership, SeatEntryKind
from lectern.memberships.selectors import attendance_advice
from lectern.memberships.services import ledger_append
from lectern.registrations import emails
from lectern.registrations.errors import (
    AlreadyRegistered,
    EventCancelled,
    EventFull,
    MembershipInactive,
    NoSeatsLeft,
    NotActive,
    RegistrationClosed,
    TooManyWithdrawals,
    UnknownCode,
)
from lectern.registrations.models import (
    TECHNOLOGIES,
    Registration,
    RegistrationStatus,
    Trainee,
    UsageFrequency,
)
from lectern.registrations.ratelimit import code_attempt_record, code_attempts_check
from lectern.registrations.tokens import manage_token, new_nonce

EXPERIENCE = ("learner", "helper", "none")


@dataclass(frozen=True)
class TraineeDetails:
    """What a trainee tells us when registering (or joining a waiting list)."""

    name: str
    email: str
    affiliation: str
    country: str
    technologies: Sequence[str]
    usage_frequency: str
    carpentries_experience: Sequence[str]
    accept_code_of_conduct: bool
    accept_privacy: bool
    teaching_experience: str = ""
    directory_consent: bool = False
    timezone: str = ""


def details_check(details: TraineeDetails) -> TraineeDetails:
    """Validate every field at once and return the details normalised."""
    errors: dict[str, list[str]] = {}

    def refuse(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not details.name.strip():
        refuse("name", "Give your name.")
    email = normalize_email(details.email)
    if "@" not in email or "." not in email.rsplit("@", 1)[-1] or len(email) > 254:
        refuse("email", "Enter a valid email address.")
    if not details.affiliation.strip():
        refuse("affiliation", "Give your affiliation (e.g. your university or employer).")
    country = details.country.strip().upper()
    if country not in countries:
        refuse("country", "Choose a country (ISO code such as GB).")
    technologies = [t.strip().lower() for t in details.technologies]
    if not technologies:
        refuse("technologies", "Choose at least one technology you are familiar with.")
    elif unknown := sorted(set(technologies) - set(TECHNOLOGIES)):
        refuse(
            "technologies", f"Unknown: {', '.join(unknown)}; choose from {', '.join(TECHNOLOGIES)}."
        )
    if details.usage_frequency not in UsageFrequency.values:
        refuse("usage_frequency", f"Choose one of {', '.join(UsageFrequency.values)}.")
    experience = [e.strip().lower() for e in details.carpentries_experience]
    if not experience:
        refuse("carpentries_experience", "Choose learner, helper or none.")
    elif set(experience) - set(EXPERIENCE) or ("none" in experience and len(experience) > 1):
        refuse("carpentries_experience", "Choose learner and/or helper, or none.")
    if not details.accept_code_of_conduct:
        refuse("accept_code_of_conduct", "You must agree to the code of conduct.")
    if not details.accept_privacy:
        refuse("accept_privacy", "You must agree to the privacy policy.")
    if details.timezone:
        try:
            zone(details.timezone, "timezone")
        except Invalid:
            refuse("timezone", "Unknown time zone.")
    if errors:
        names = ", ".join(errors)
        raise Invalid(f"Some fields need attention: {names}.", fields=errors)
    return replace(
        details,
        name=details.name.strip(),
        email=email,
        country=country,
        affiliation=details.affiliation.strip(),
        technologies=sorted(set(technologies)),
        carpentries_experience=sorted(set(experience)),
    )


def trainee_upsert(details: TraineeDetails, now: datetime) -> Trainee:
    """Write the trainee with this email, their details brought up to date, in one statement.

    The trainee returned has its id and these details loaded; its other fields (links,
    creation time) are deferred, read from the database if used, and left alone by `save()`."""
    values = {
        "email": details.email,
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
    written = Trainee(created_at=now, **values)
    Trainee.objects.bulk_create(
        [written],
        update_conflicts=True,
        unique_fields=["email"],
        update_fields=[name for name in values if name != "email"],
    )
    loaded = {"id": written.pk, **values}
    names = [f.attname for f in Trainee._meta.concrete_fields if f.attname in loaded]
    return Trainee.from_db(written._state.db, names, [loaded[name] for name in names])


def advisories_for(details: TraineeDetails, event: Event, membership: Membership) -> list[str]:
    """Advice that does not block registration; shown to the trainee and coordinators."""
    advice = []
    if details.usage_frequency in (UsageFrequency.MONTHLY, UsageFrequency.LESS):
        advice.append(
            "The training suits people who use at least one of the technologies "
            "weekly; you said you use them less often."
        )
    advised_until = attendance_advice(membership, event.first_local_date).advised_until
    if event.first_local_date > advised_until:
        advice.append(
            "This event is after the first six months of your organisation's "
            f"membership year (which ended {advised_until:%d %B %Y}); we recommend "
            "training early so there is time to finish checkout and teach."
        )
    return advice


def code_check(*, actor: Principal, event_id: int, code: str, client: str, now: datetime) -> int:
    """Return the membership whose code may be used for this event, counting a failed
    attempt against the client (staff are not limited); refuse while rate limited.

    An unknown code and another organisation's in-house event get the same answer, so that
    a guess learns nothing."""
    if not actor.is_staff:
        code_attempts_check(client=client, event_id=event_id, now=now)
    event = Event.objects.filter(pk=event_id).values_list("membership_id").first()
    if event is None:
        raise Invalid.field("event_id", f"There is no event {event_id}.")
    (in_house_for,) = event
    membership_id = (
        Membership.objects.filter(registration_code=normalize_code(code))
        .values_list("pk", flat=True)
        .first()
    )
    if membership_id is None or in_house_for not in (None, membership_id):
        if not actor.is_staff:
            code_attempt_record(client=client, event_id=event_id, now=now)
        raise UnknownCode()
    return int(membership_id)


def _override(actor: Principal, reason: str) -> str:
    reason = reason.strip()
    if reason and not actor.is_staff:
        raise Forbidden("Only programme staff may override a rule.")
    return reason


def _lock_events(*event_ids: int) -> dict[int, Event]:
    """Lock events in id order (the fixed order all registration services use)."""
    locked = Event.objects.select_for_update().filter(pk__in=event_ids).order_by("pk")
    if settings.LECTERN["REGISTRATION_LOCKING"]:
        return {e.pk: e for e in locked}
    return {e.pk: e for e in Event.objects.filter(pk__in=event_ids)}


def _lock_membership(membership_id: int) -> Membership:
    if settings.LECTERN["REGISTRATION_LOCKING"]:
        return Membership.objects.select_for_update().get(pk=membership_id)
    return Membership.objects.get(pk=membership_id)


def _check_open(event: Event, now: datetime, override: str) -> None:
    if event.status == EventStatus.CANCELLED:
        raise EventCancelled()
    if override:
        return
    if event.status != EventStatus.SCHEDULED or event.first_start <= now:
        raise RegistrationClosed("This event has already taken place.")
    cutoff = registration_cutoff(event)
    if now >= cutoff:
        raise RegistrationClosed(
            f"Registration for this event closed on {cutoff:%d %B %Y at %H:%M} UTC, one week "
            "before it starts. Please choose a later event."
        )


def _check_membership(membership: Membership, event: Event, now: datetime, override: str) -> None:
    if override:
        return
    grace = timedelta(days=settings.LECTERN["MEMBERSHIP_GRACE_DAYS"])
    today = now.date()
    if not membership.start_date - grace <= today <= membership.end_date + grace:
        raise MembershipInactive(
            f"Your organisation's membership is not active today (it runs from "
            f"{membership.start_date:%d %B %Y} to {membership.end_date:%d %B %Y})."
        )
    if event.first_local_date > membership.end_date + grace:
        raise MembershipInactive(
            f"This event starts after your organisation's membership ends "
            f"({membership.end_date:%d %B %Y}). Please choose an earlier event."
        )


def _check_trainee(trainee: Trainee, now: datetime, override: str) -> None:
    """Refuse a second confirmed registration, or one more after too many withdrawals."""
    ended = [RegistrationStatus.WITHDRAWN, RegistrationStatus.FORFEITED]
    statuses = list(
        trainee.registrations.filter(
            Q(status=RegistrationStatus.CONFIRMED)
            | Q(status__in=ended, changed_at__gte=now - timedelta(days=365))
        ).values_list("status", flat=True)
    )
    if RegistrationStatus.CONFIRMED in statuses:
        raise AlreadyRegistered()
    if len(statuses) > settings.LECTERN["WITHDRAWALS_PER_YEAR"] and not override:
        raise TooManyWithdrawals()


def _take_place(event: Event, now: datetime | None = None) -> None:
    """Take a place, counting places offered to the waiting list as taken."""
    from lectern.registrations.models import WaitlistEntry, WaitlistStatus

    held = 0
    if now is not None:
        held = WaitlistEntry.objects.filter(
            event=event, status=WaitlistStatus.OFFERED, offer_expires_at__gt=now
        ).count()
    if event.places_taken + held >= event.capacity:
        raise EventFull()
    event.places_taken += 1
    event.save(update_fields=["places_taken"])


def _free_place(event: Event) -> None:
    event.places_taken = max(event.places_taken - 1, 0)
    event.save(update_fields=["places_taken"])


@dataclass
class Created:
    registration: Registration
    manage_token: str
    advisories: list[str] = field(default_factory=list)


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
    override = _override(actor, override_reason)
    membership_id = code_check(actor=actor, event_id=event_id, code=code, client=client, now=now)
    if settings.LECTERN["REGISTRATION_LOCKING"]:
        with transaction.atomic():
            return _create(actor, event_id, membership_id, details, override, now)
    # Test-only control (REGISTRATION_LOCKING off): read first, write later, as code without
    # locks would; the concurrency tests show this overbooks.
    stale_event, stale_membership = (
        Event.objects.get(pk=event_id),
        Membership.objects.get(pk=membership_id),
    )
    with transaction.atomic():
        return _create(
            actor,
            event_id,
            membership_id,
            details,
            override,
            now,
            stale=(stale_event, stale_membership),
        )


def _create(
    actor: Principal,
    event_id: int,
    membership_id: int,
    details: TraineeDetails,
    override: str,
    now: datetime,
    stale: tuple[Event, Membership] | None = None,
) -> Created:
    if stale is None:
        event = _lock_events(event_id)[event_id]
        membership = _lock_membership(membership_id)
    else:
        event, membership = stale
    _check_open(event, now, override)
    _check_membership(membership, event, now, override)
    trainee = trainee_upsert(details, now)
    _check_trainee(trainee, now, override)
    _take_place(event, now)
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
    audit_log(actor=actor, action="registration_created", obj=registration, at=now, reason=override)
    emails.to_trainee("registration_confirmed", registration, now=now, attach_ics=True)
    return Created(
        registration, manage_token(registration.pk, registration.manage_nonce), advisories
    )


def require_registration_access(actor: Principal, registration: Registration) -> None:
    """Staff, or the trainee holding this registration's manage link."""
    if actor.is_staff or actor.registration_id == registration.pk:
        return
    raise NotFound(f"No registration with id {registration.pk} is visible to you.")


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
    override = _override(actor, reason) if actor.is_staff else ""
    target = Event.objects.filter(pk=event_id).first()
    if target is None or (target.membership_id not in (None, registration.membership_id)):
        raise Invalid.field("event_id", f"There is no event {event_id} you can move to.")
    if target.pk == registration.event_id:
        raise Invalid.field("event_id", "This is already the registration's event.")
    events = _lock_events(registration.event_id, target.pk)
    source, target = events[registration.event_id], events[target.pk]
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    rebooking = (
        registration.status == RegistrationStatus.CANCELLED
        and source.status == EventStatus.CANCELLED
    )
    if registration.status != RegistrationStatus.CONFIRMED and not rebooking:
        raise NotActive()
    if not rebooking:
        _check_open(source, now, override)
    _check_open(target, now, override)
    membership = _lock_membership(registration.membership_id)
    _check_membership(membership, target, now, override)
    _take_place(target, now)
    if rebooking:
        _reserve_again(registration, membership, actor, now, f"rebooked on event {target.pk}")
    else:
        _free_place(source)
    registration.event = target
    registration.status = RegistrationStatus.CONFIRMED
    registration.changed_at = now
    registration.save(update_fields=["event", "status", "changed_at"])
    entry = audit_log(
        actor=actor,
        action="registration_moved",
        obj=registration,
        at=now,
        reason=reason,
        data={"from": source.pk, "to": target.pk},
    )
    emails.to_trainee(
        "registration_moved", registration, about=entry, now=now, attach_ics=True, previous=source
    )
    if not rebooking:
        from lectern.registrations.waitlist import waitlist_offer_next

        waitlist_offer_next(event=source, now=now)
    return registration


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
    event = _lock_events(registration.event_id)[registration.event_id]
    membership = _lock_membership(registration.membership_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise NotActive()
    in_time = now < registration_cutoff(event)
    registration.status = RegistrationStatus.WITHDRAWN if in_time else RegistrationStatus.FORFEITED
    registration.changed_at = now
    registration.save(update_fields=["status", "changed_at"])
    _free_place(event)
    ledger_append(
        membership=membership,
        kind=SeatEntryKind.RELEASED if in_time else SeatEntryKind.USED,
        delta=1,
        actor=actor,
        at=now,
        registration_id=registration.pk,
        reason="withdrawn before the cutoff" if in_time else "withdrawn after the cutoff",
    )
    audit_log(
        actor=actor,
        action=f"registration_{registration.status}",
        obj=registration,
        at=now,
        reason=reason,
    )
    emails.to_trainee(
        "registration_withdrawn" if in_time else "seat_forfeited", registration, now=now
    )
    if in_time:
        from lectern.registrations.waitlist import waitlist_offer_next

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
    """Staff's emergency exception, until 7 days after the event ends: release the seat, or
    move the trainee to a future event, whatever the cutoff said."""
    require_staff(actor)
    reason = reason.strip()
    if not reason:
        raise Invalid.field("reason", "Give the reason for the exception.")
    now = clock.resolve(now)
    ids = [registration.event_id] + ([move_to_event_id] if move_to_event_id else [])
    events = _lock_events(*ids)
    source = events[registration.event_id]
    window = timedelta(days=settings.LECTERN["EMERGENCY_DAYS_AFTER_EVENT"])
    if now > source.last_end + window:
        raise Conflict(
            "Emergency exceptions are possible until 7 days after the event ends.",
            code="emergency_window_closed",
        )
    membership = _lock_membership(registration.membership_id)
    registration = Registration.objects.select_for_update().get(pk=registration.pk)
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
        _free_place(source)
    if move_to_event_id:
        target = events.get(move_to_event_id)
        if target is None or target.membership_id not in (None, registration.membership_id):
            raise Invalid.field("move_to_event_id", f"There is no event {move_to_event_id}.")
        if target.status != EventStatus.SCHEDULED or target.first_start <= now:
            raise Invalid.field("move_to_event_id", "Choose a future, scheduled event.")
        _take_place(target, now)
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
        moved=bool(move_to_event_id),
    )
    return registration


def registrations_cancel_for_event(*, actor: Principal, event: Event, now: datetime) -> int:
    """Cancel an event's registrations, release their seats, tell trainees (with future
    events to move to) and coordinators, end the waiting list. Runs inside event_cancel."""
    from lectern.registrations.waitlist import waitlist_end

    registrations = list(
        Registration.objects.select_related("trainee", "membership__organization")
        .filter(event=event, status=RegistrationStatus.CONFIRMED)
        .order_by("membership_id", "pk")
    )
    alternatives = list(future_events_with_seats(now=now, exclude=event.pk))
    for registration in registrations:
        membership = _lock_membership(registration.membership_id)
        registration.status = RegistrationStatus.CANCELLED
        registration.changed_at = now
        registration.save(update_fields=["status", "changed_at"])
        ledger_append(
            membership=membership,
            kind=SeatEntryKind.RELEASED,
            delta=1,
            actor=actor,
            at=now,
            reason=f"event {event.pk} cancelled",
            registration_id=registration.pk,
        )
        emails.to_trainee(
            "event_cancelled",
            registration,
            now=now,
            reason=event.cancel_reason,
            alternatives=[
                e for e in alternatives if e.membership_id in (None, registration.membership_id)
            ],
        )
    event.places_taken = 0
    event.save(update_fields=["places_taken"])
    _tell_coordinators(event, registrations, now)
    waitlist_end(event=event, now=now)
    return len(registrations)


def _tell_coordinators(event: Event, registrations: list[Registration], now: datetime) -> None:
    from lectern.memberships.models import ContactRole, MembershipContact
    from lectern.notifications.services import message_queue

    memberships = {r.membership_id for r in registrations}
    contacts = MembershipContact.objects.filter(
        membership_id__in=memberships, role=ContactRole.COORDINATOR
    )
    for contact in contacts.select_related("membership__organization"):
        trainees = [r.trainee for r in registrations if r.membership_id == contact.membership_id]
        message_queue(
            kind="event_cancelled_coordinator",
            to=contact.email,
            name=contact.name,
            obj=event,
            now=now,
            context={
                **emails.event_context(event),
                "trainees": trainees,
                "membership": contact.membership,
                "reason": event.cancel_reason,
            },
        )


def future_events_with_seats(
    *, now: datetime, exclude: int | None = None, membership_id: int | None = None
) -> list[Event]:
    """Scheduled events whose registration is open and that have places left."""
    from django.db.models import F, Q

    from lectern.events.selectors import with_schedule

    cutoff_days = settings.LECTERN["REGISTRATION_CUTOFF_DAYS"]
    events = Event.objects.filter(
        status=EventStatus.SCHEDULED,
        first_start__gt=now + timedelta(days=cutoff_days),
        places_taken__lt=F("capacity"),
    ).filter(Q(public=True, membership__isnull=True) | Q(membership_id=membership_id))
    if exclude:
        events = events.exclude(pk=exclude)
    return list(with_schedule(events).order_by("first_start")[:20])
