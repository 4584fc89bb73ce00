"""May this registration happen? The checks every registration service shares.

Each check refuses with a domain error carrying a stable code and a message for people;
`override` is a staff reason that lets a registration through a deadline or an inactive
membership (never through capacity or seats).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext
from django_countries import countries

from lectern.core.emails import email_normalise
from lectern.core.errors import DomainError, Forbidden, Invalid, NotFound
from lectern.core.permissions import Principal
from lectern.core.validators import LARGEST_ID
from lectern.events.deadlines import REGISTRATION_CUTOFF
from lectern.events.models import Event, EventStatus
from lectern.events.selectors import events_visible_to
from lectern.events.timezones import date_text, zone
from lectern.memberships.codes import normalize_code
from lectern.memberships.models import Membership
from lectern.memberships.selectors import attendance_advice, memberships_visible_to
from lectern.registrations.errors import (
    AlreadyRegistered,
    EventCancelled,
    MembershipInactive,
    RegistrationClosed,
    TooManyWithdrawals,
    UnknownCode,
)
from lectern.registrations.models import (
    HOLDING,
    TECHNOLOGIES,
    Registration,
    RegistrationStatus,
    Trainee,
    UsageFrequency,
)
from lectern.registrations.ratelimit import (
    Failures,
    code_attempt_counts,
    code_attempt_failed,
    code_attempt_refused,
)

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
        refuse("name", gettext("Give your name."))
    email = details.email
    try:
        email = email_normalise(details.email)
    except Invalid as error:
        for message in (error.fields or {}).get("email", [error.message]):
            refuse("email", message)
    if not details.affiliation.strip():
        refuse("affiliation", gettext("Give your affiliation (e.g. your university or employer)."))
    country = details.country.strip().upper()
    if country not in countries:
        refuse("country", gettext("Choose a country (ISO code such as GB)."))
    technologies = [t.strip().lower() for t in details.technologies]
    if not technologies:
        refuse("technologies", gettext("Choose at least one technology you are familiar with."))
    elif unknown := sorted(set(technologies) - set(TECHNOLOGIES)):
        refuse(
            "technologies",
            gettext("Unknown: %(unknown)s; choose from %(known)s.")
            % {"unknown": ", ".join(unknown), "known": ", ".join(TECHNOLOGIES)},
        )
    if details.usage_frequency not in UsageFrequency.values:
        refuse("usage_frequency", gettext("Choose how often you use them."))
    experience = [e.strip().lower() for e in details.carpentries_experience]
    if not experience:
        refuse("carpentries_experience", gettext("Choose learner, helper or none."))
    elif set(experience) - set(EXPERIENCE) or ("none" in experience and len(experience) > 1):
        refuse("carpentries_experience", gettext("Choose learner and/or helper, or none."))
    if not details.accept_code_of_conduct:
        refuse("accept_code_of_conduct", gettext("You must agree to the code of conduct."))
    if not details.accept_privacy:
        refuse("accept_privacy", gettext("You must agree to the privacy policy."))
    if details.timezone:
        try:
            zone(details.timezone, "timezone")
        except Invalid:
            refuse("timezone", gettext("Unknown time zone."))
    if errors:
        names = ", ".join(errors)
        raise Invalid(gettext("Some fields need attention: %s.") % names, fields=errors)
    return replace(
        details,
        name=details.name.strip(),
        email=email,
        country=country,
        affiliation=details.affiliation.strip(),
        technologies=sorted(set(technologies)),
        carpentries_experience=sorted(set(experience)),
    )


@dataclass(frozen=True)
class CodeAttempt:
    """What a code said for an event: its membership, or the refusal (`unknown_code`,
    `rate_limited`) to raise once the transaction that counted it has committed."""

    membership_id: int
    refusal: DomainError | None = None


# The event's organisation (in-house events) and the code's membership, with the failures
# counted (`registrations.ratelimit`): one statement.
CODE_READ = (
    "SELECT event.membership_id, (SELECT membership.id FROM memberships_membership AS "
    "membership WHERE membership.registration_code = %s), {counts} "
    "FROM events_event AS event WHERE event.id = %s"
)


def code_attempt(
    *, actor: Principal, event_id: int, code: str, client: str, now: datetime
) -> CodeAttempt:
    """Read the membership whose code may be used for this event, and count a wrong code
    against the client (staff are not limited). Run it in the transaction of what follows,
    and raise its refusal only after that transaction commits, so that the count stays.

    An unknown code and another organisation's in-house event get the same answer, so that
    a guess learns nothing."""
    if not 0 < event_id <= LARGEST_ID:
        raise Invalid.field("event_id", f"There is no event {event_id}.")
    counts, params = code_attempt_counts(client=client, event_id=event_id, now=now)
    with connection.cursor() as cursor:
        cursor.execute(CODE_READ.format(counts=counts), [normalize_code(code), *params, event_id])
        row = cursor.fetchone()
    if row is None:
        raise Invalid.field("event_id", f"There is no event {event_id}.")
    in_house_for, membership_id, *counted = row
    right = membership_id is not None and in_house_for in (None, membership_id)
    if actor.is_staff:
        return CodeAttempt(membership_id or 0, None if right else UnknownCode())
    failures = Failures(*(int(n or 0) for n in counted))
    if right:
        return CodeAttempt(membership_id, code_attempt_refused(failures, now))
    refusal = code_attempt_failed(client=client, event_id=event_id, failures=failures, now=now)
    return CodeAttempt(0, refusal or UnknownCode())


def code_check(*, actor: Principal, event_id: int, code: str, client: str, now: datetime) -> int:
    """Return the membership whose code may be used for this event (see `code_attempt`);
    refuse a wrong code, or while rate limited."""
    with transaction.atomic():
        attempt = code_attempt(actor=actor, event_id=event_id, code=code, client=client, now=now)
    if attempt.refusal is not None:
        raise attempt.refusal
    return attempt.membership_id


def override_check(actor: Principal, reason: str) -> str:
    """The staff reason that overrides a rule, stripped; only staff may give one."""
    reason = reason.strip()
    if reason and not actor.is_staff:
        raise Forbidden(gettext("Only programme staff may override a rule."))
    return reason


def event_open_check(event: Event, now: datetime, override: str) -> None:
    """Refuse a cancelled event, and (without an override) one past its cutoff."""
    if event.status == EventStatus.CANCELLED:
        raise EventCancelled()
    if override:
        return
    if event.status != EventStatus.SCHEDULED or event.first_start <= now:
        raise RegistrationClosed(gettext("This event has already taken place."))
    if REGISTRATION_CUTOFF.passed(event, now):
        words = REGISTRATION_CUTOFF.words(event)
        raise RegistrationClosed(
            gettext(
                "Registration for this event closed on %(local)s (%(utc)s), %(relation)s. "
                "Please choose a later event."
            )
            % {"local": words.local, "utc": words.utc, "relation": words.relation}
        )


def free_change_open(registration: Registration, event: Event, now: datetime) -> bool:
    """After its event's sessions changed, a registration may be withdrawn or moved without
    forfeiting, even past the cutoff, until `free_change_until` (the change plus
    `CHANGE_FREE_WITHDRAWAL_HOURS`), and never once the event has started."""
    until = registration.free_change_until
    return (
        until is not None
        and now < until
        and event.status == EventStatus.SCHEDULED
        and now < event.first_start
    )


def membership_check(membership: Membership, event: Event, now: datetime, override: str) -> None:
    """Refuse a membership not active today, or one that ends before the event starts."""
    if override:
        return
    grace = timedelta(days=settings.LECTERN["MEMBERSHIP_GRACE_DAYS"])
    today = now.date()
    if not membership.start_date - grace <= today <= membership.end_date + grace:
        raise MembershipInactive(
            gettext(
                "Your organisation's membership is not active today (it runs from %(start)s "
                "to %(end)s)."
            )
            % {"start": date_text(membership.start_date), "end": date_text(membership.end_date)}
        )
    if event.first_local_date > membership.end_date + grace:
        raise MembershipInactive(
            gettext(
                "This event starts after your organisation's membership ends (%(end)s). "
                "Please choose an earlier event."
            )
            % {"end": date_text(membership.end_date)}
        )


def trainee_check(
    trainee: Trainee, now: datetime, override: str, event_id: int | None = None
) -> None:
    """Refuse a second confirmed registration (saying so when it is for this very event),
    or one more after too many withdrawals."""
    ended = [RegistrationStatus.WITHDRAWN, RegistrationStatus.FORFEITED]
    statuses = list(
        trainee.registrations.filter(
            Q(status__in=HOLDING) | Q(status__in=ended, changed_at__gte=withdrawals_since(now))
        ).values_list("status", "event_id")
    )
    held = [held_event for status, held_event in statuses if status in HOLDING]
    standing_check(
        held_event_id=held[0] if held else None,
        endings=len(statuses) - len(held),
        override=override,
        event_id=event_id,
    )


def withdrawals_since(now: datetime) -> datetime:
    """Withdrawals and forfeits from then on count against the trainee."""
    return now - timedelta(days=settings.LECTERN["WITHDRAWALS_WINDOW_DAYS"])


def standing_check(
    *, held_event_id: int | None, endings: int, override: str, event_id: int | None = None
) -> None:
    """`trainee_check` on what was read: the event of the registration the trainee holds (at
    most one), and how many they withdrew from or forfeited since `withdrawals_since`."""
    if held_event_id is not None and held_event_id == event_id:
        raise AlreadyRegistered(
            gettext(
                "You are already registered for this event. Your confirmation email has the "
                "link to manage your registration."
            )
        )
    if held_event_id is not None:
        raise AlreadyRegistered()
    if endings > settings.LECTERN["WITHDRAWALS_PER_YEAR"] and not override:
        raise TooManyWithdrawals()


def advisories_for(details: TraineeDetails, event: Event, membership: Membership) -> list[str]:
    """Advice that does not block registration; shown to the trainee and coordinators, and
    kept with the registration in the event's language (that of its emails)."""
    advice = []
    with translation.override(event.language or settings.LANGUAGE_CODE):
        if details.usage_frequency in (UsageFrequency.MONTHLY, UsageFrequency.LESS):
            advice.append(
                gettext(
                    "The training suits people who use at least one of the technologies "
                    "weekly; you said you use them less often."
                )
            )
        advised_until = attendance_advice(membership, event.first_local_date).advised_until
        if event.first_local_date > advised_until:
            advice.append(
                gettext(
                    "This event is after the first six months of your organisation's "
                    "membership year (which ended %(day)s); we recommend training early so "
                    "there is time to finish checkout and teach."
                )
                % {"day": date_text(advised_until)}
            )
    return advice


def acts_beyond_coordinator(actor: Principal, registration: Registration) -> bool:
    """Staff, or the trainee through either of their links: callers whom no coordinator's
    limit binds."""
    return (
        actor.is_staff
        or actor.registration_id == registration.pk
        or actor.acts_as_trainee(registration.trainee_id)
    )


def require_registration_access(actor: Principal, registration: Registration) -> None:
    """Staff, the trainee holding this registration's manage link, the trainee's personal
    link, or a coordinator of the membership it took its seat from."""
    if acts_beyond_coordinator(actor, registration):
        return
    if (
        actor.user is not None
        and memberships_visible_to(actor).filter(pk=registration.membership_id).exists()
    ):
        return
    raise NotFound(f"No registration with id {registration.pk} is visible to you.")


def registration_page_check(
    *, principal: Principal, event_id: int, code: str, client: str, now: datetime
) -> None:
    """May this caller see the registration page of this event (its title and dates)?

    Who may see the event page may; for an event the public cannot see (in-house, unlisted)
    only a link carrying a code that `code_check` accepts for it opens the page, with the same
    rate limit on guesses. Everyone else is told there is no such event (404), as on the
    event page, so that sequential ids reveal nothing."""
    if events_visible_to(principal).filter(pk=event_id).exists():
        return
    missing = NotFound(f"No event with id {event_id} is visible to you.")
    if not code.strip():
        raise missing
    try:
        code_check(actor=principal, event_id=event_id, code=code, client=client, now=now)
    except (UnknownCode, Invalid):
        raise missing from None
