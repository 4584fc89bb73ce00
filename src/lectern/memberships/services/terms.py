"""Memberships and their terms: creating, extending, rolling over, their registration code."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.errors import Conflict, Invalid
from lectern.core.permissions import Principal, require_staff
from lectern.memberships.codes import custom_code_problem, generate_code, normalize_code
from lectern.memberships.models import (
    ContactRole,
    GrantSource,
    IssuedCode,
    Membership,
    MembershipContact,
    Organization,
    SeatEntryKind,
    Tier,
)
from lectern.memberships.selectors import (
    one_year_end,
    tier_default_seats,
)
from lectern.memberships.services.contacts import contact_welcome
from lectern.memberships.services.ledger import (
    MAX_SEATS_AT_ONCE,
    ledger_append,
    lock_membership,
    written_reason,
)


def _code_issue(requested: str | None, now: datetime) -> IssuedCode:
    """Reserve a code for a membership: the one staff chose, or a fresh generated one.

    The caller attaches the membership; a code once in `IssuedCode` is never issued again.
    """
    if requested is not None:
        code = normalize_code(requested)
        problem = custom_code_problem(code, settings.LECTERN["CUSTOM_CODE_MIN_LENGTH"])
        if problem:
            raise Invalid.field("registration_code", problem)
        candidates = [code]
    else:
        length = settings.LECTERN["REGISTRATION_CODE_LENGTH"]
        candidates = [generate_code(length) for _ in range(5)]
    for code in candidates:
        try:
            with transaction.atomic():
                return IssuedCode.objects.create(code=code, issued_at=now)
        except IntegrityError:
            continue
    if requested is not None:
        raise Invalid(
            "This registration code has been issued before; codes are never reused.",
            code="validation_error",
            fields={"registration_code": ["This code has been issued before."]},
        )
    raise RuntimeError("could not generate an unused registration code")  # pragma: no cover


@transaction.atomic
def membership_create(
    *,
    actor: Principal,
    organization: Organization,
    tier: str,
    start_date: date,
    end_date: date | None = None,
    seats: int | None = None,
    registration_code: str | None = None,
    consortium: Sequence[Organization] = (),
    now: datetime | None = None,
) -> Membership:
    """Create a membership, grant its tier's seats (or `seats`) and issue its code."""
    require_staff(actor)
    now = clock.resolve(now)
    if tier not in Tier.values:
        raise Invalid.field(
            "tier", f"Unknown tier {tier!r}; choose one of {', '.join(Tier.values)}."
        )
    end_date = end_date or one_year_end(start_date)
    if end_date < start_date:
        raise Invalid.field("end_date", "The end date must not be before the start date.")
    if seats is None:
        seats = tier_default_seats(tier)
        if seats is None:
            raise Invalid.field("seats", "A custom tier needs the number of seats.")
    if not 0 <= seats <= MAX_SEATS_AT_ONCE:
        raise Invalid.field("seats", f"Seats must be between 0 and {MAX_SEATS_AT_ONCE:,}.")
    issued = _code_issue(registration_code, now)
    membership = Membership.objects.create(
        organization=organization,
        tier=tier,
        start_date=start_date,
        end_date=end_date,
        registration_code=issued.code,
        created_at=now,
    )
    issued.membership = membership
    issued.save(update_fields=["membership"])
    others = [org for org in consortium if org.pk != organization.pk]
    membership.consortium.set(others)
    if seats:
        ledger_append(
            membership=membership,
            kind=SeatEntryKind.GRANTED,
            source=GrantSource.TIER,
            delta=seats,
            actor=actor,
            at=now,
            reason=f"{tier} tier",
        )
    audit_log(
        actor=actor,
        action="membership_created",
        obj=membership,
        at=now,
        data={"seats": seats, "consortium": [o.pk for o in others]},
    )
    return membership


@transaction.atomic
def membership_extend(
    *,
    actor: Principal,
    membership: Membership,
    end_date: date,
    reason: str,
    now: datetime | None = None,
) -> Membership:
    """Move a membership's end date later, recording why."""
    require_staff(actor)
    reason = written_reason(reason)
    now = clock.resolve(now)
    membership = lock_membership(membership.pk)
    if end_date <= membership.end_date:
        raise Invalid.field(
            "end_date", f"An extension must end after the current end date ({membership.end_date})."
        )
    # the next term: rolled over from this one, or created by hand for the same organisation
    successor = (
        Membership.objects.filter(
            Q(rolled_over_from=membership)
            | Q(organization_id=membership.organization_id, start_date__gt=membership.start_date)
        )
        .exclude(pk=membership.pk)
        .order_by("start_date")
        .first()
    )
    if successor is not None and end_date >= successor.start_date:
        raise Conflict(
            f"The next term starts on {successor.start_date:%d %B %Y}; this one cannot be "
            f"extended into it (end it by {successor.start_date - timedelta(days=1):%d %B %Y}).",
            code="overlaps_successor",
        )
    previous = membership.end_date
    membership.end_date = end_date
    membership.save(update_fields=["end_date"])
    audit_log(
        actor=actor,
        action="membership_extended",
        obj=membership,
        at=now,
        reason=reason,
        data={"from": previous.isoformat(), "to": end_date.isoformat()},
    )
    return membership


def rollover_window_opens(membership: Membership) -> date:
    """The first day a membership's seats may be rolled over without a reason."""
    return membership.end_date - timedelta(days=settings.LECTERN["ROLLOVER_WINDOW_DAYS"])


@transaction.atomic
def seats_rollover(
    *,
    actor: Principal,
    membership: Membership,
    seats: int,
    start_date: date | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> Membership:
    """Start the next term's membership and move unused available seats into it.

    The next term starts the day after this one ends (unless `start_date` is given), keeps
    the tier, organisations and contacts, grants its tier's seats and gets a new code.
    Capped at the seats available; once per membership. Possible from
    `ROLLOVER_WINDOW_DAYS` before the end date; earlier only with a staff reason.
    """
    require_staff(actor)
    now = clock.resolve(now)
    reason = reason.strip()
    opens = rollover_window_opens(membership)
    if now.date() < opens and not reason:
        raise Conflict(
            f"Rollover opens on {opens:%d %B %Y}, {settings.LECTERN['ROLLOVER_WINDOW_DAYS']} "
            f"days before this term ends; give a reason to roll over earlier.",
            code="reason_required",
        )
    membership = lock_membership(membership.pk)
    if Membership.objects.filter(rolled_over_from=membership).exists():
        raise Conflict(
            "This membership was already rolled over; that happens once.",
            code="already_rolled_over",
        )
    if seats < 1:
        raise Invalid.field("seats", "Roll over at least one seat.")
    available = membership.seats_available
    if seats > available:
        raise Conflict(
            f"Only {available} seat(s) are available to roll over; {seats} were asked for.",
            code="rollover_exceeds_available",
        )
    start = start_date or membership.end_date + timedelta(days=1)
    if start <= membership.end_date:  # two terms at once, each with its code and seats
        raise Invalid.field(
            "start_date",
            f"The next term must start after this one ends ({membership.end_date:%d %B %Y}).",
        )
    tier_seats = tier_default_seats(membership.tier)
    if tier_seats is None:
        tier_seats = (
            membership.ledger.filter(source=GrantSource.TIER)
            .values_list("delta", flat=True)
            .first()
            or 0
        )
    successor = membership_create(
        actor=actor,
        organization=membership.organization,
        tier=membership.tier,
        start_date=start,
        seats=tier_seats,
        consortium=list(membership.consortium.all()),
        now=now,
    )
    successor.rolled_over_from = membership
    successor.save(update_fields=["rolled_over_from"])
    why = f"rollover to the term starting {start.isoformat()}" + (f": {reason}" if reason else "")
    ledger_append(
        membership=membership,
        kind=SeatEntryKind.ROLLED_OUT,
        delta=seats,
        actor=actor,
        at=now,
        reason=why,
        related_membership=successor,
    )
    ledger_append(
        membership=successor,
        kind=SeatEntryKind.GRANTED,
        source=GrantSource.ROLLOVER_IN,
        delta=seats,
        actor=actor,
        at=now,
        reason=f"rollover from the term starting {membership.start_date.isoformat()}",
        related_membership=membership,
    )
    for old_contact in membership.contacts.all():
        contact = MembershipContact.objects.create(
            membership=successor,
            email=old_contact.email,
            name=old_contact.name,
            role=old_contact.role,
        )
        if contact.role == ContactRole.COORDINATOR:
            contact_welcome(contact, now)
    audit_log(
        actor=actor,
        action="membership_rolled_over",
        obj=membership,
        at=now,
        reason=reason,
        data={"seats": seats, "successor": successor.pk},
    )
    return successor


@transaction.atomic
def registration_code_reset(
    *,
    actor: Principal,
    membership: Membership,
    code: str | None = None,
    reason: str,
    now: datetime | None = None,
) -> Membership:
    """Give the membership a new code (e.g. after a leak); the old one is never issued again."""
    require_staff(actor)
    reason = written_reason(reason)
    now = clock.resolve(now)
    membership = lock_membership(membership.pk)
    previous = membership.registration_code
    issued = _code_issue(code, now)
    issued.membership = membership
    issued.save(update_fields=["membership"])
    membership.registration_code = issued.code
    membership.save(update_fields=["registration_code"])
    audit_log(
        actor=actor,
        action="registration_code_reset",
        obj=membership,
        at=now,
        reason=reason,
        data={"previous": previous},
    )
    return membership
