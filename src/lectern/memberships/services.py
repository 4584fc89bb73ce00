"""Writes for organisations, memberships, contacts, codes and the seat ledger."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from lectern.accounts.services import user_ensure
from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.emails import email_normalise
from lectern.core.errors import Conflict, DomainError, Invalid
from lectern.core.locking import lock
from lectern.core.permissions import Principal, require_staff
from lectern.memberships.codes import custom_code_problem, generate_code, normalize_code
from lectern.memberships.models import (
    ContactRole,
    GrantSource,
    IssuedCode,
    Membership,
    MembershipContact,
    Organization,
    SeatEntry,
    SeatEntryKind,
    Tier,
)
from lectern.memberships.selectors import (
    membership_email_context,
    membership_seat_summary,
    one_year_end,
    tier_default_seats,
)
from lectern.notifications.services import message_queue

# The most seats granted or adjusted in one entry: far above any membership (tiers carry
# a handful to a few dozen), and a bound on input.
MAX_SEATS_AT_ONCE = 10_000


class NotEnoughSeats(Conflict):
    code = "no_seats_left"
    default_message = "This membership has no seats left for that."


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise Invalid.field("reason", "Give a reason; it is kept in the record.")
    return reason


DOMAIN_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


def domains_clean(domains: Iterable[str]) -> list[str]:
    """Web domains as plain names (`x.org`), lower case, each once; a scheme, a path or
    `www.` is dropped, anything else that is not a domain name is refused."""
    result: list[str] = []
    for raw in domains:
        name = raw.strip().lower().removeprefix("https://").removeprefix("http://")
        name = name.split("/")[0].removeprefix("www.").rstrip(".")
        if not name:
            continue
        try:
            ascii_name = name.encode("idna").decode("ascii")
        except UnicodeError:
            ascii_name = ""
        if not DOMAIN_NAME.match(ascii_name):
            raise Invalid.field("domains", f"{raw.strip()!r} is not a domain name like x.org.")
        if ascii_name not in result:
            result.append(ascii_name)
    return result


def domains_parse(text: str) -> list[str]:
    """Domains typed one a line or separated by commas or spaces."""
    return domains_clean(re.split(r"[\s,;]+", text))


@transaction.atomic
def organization_create(
    *,
    actor: Principal,
    name: str,
    country: str,
    domains: Sequence[str] = (),
    now: datetime | None = None,
) -> Organization:
    require_staff(actor)
    from django_countries import countries

    name = name.strip()
    if not name:
        raise Invalid.field("name", "Give the organisation's name.")
    country = country.strip().upper()
    if country not in countries:
        raise Invalid.field("country", f"{country!r} is not an ISO 3166 country code (e.g. GB).")
    now = clock.resolve(now)
    org = Organization.objects.create(
        name=name, country=country, domains=domains_clean(domains), created_at=now
    )
    audit_log(actor=actor, action="organization_created", obj=org, at=now)
    return org


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


def ledger_append(
    *,
    membership: Membership,
    kind: SeatEntryKind,
    delta: int,
    actor: Principal,
    at: datetime,
    reason: str = "",
    source: GrantSource = GrantSource.NONE,
    allow_overdraw: bool = False,
    related_membership: Membership | None = None,
    registration_id: int | None = None,
) -> SeatEntry:
    """Add a ledger entry and move the membership's running totals with it.

    The only writer of seat figures. The caller holds the membership row locked
    (`select_for_update`) inside its transaction. Available seats never drop below zero
    unless staff explicitly allow an overdraw, which is recorded on the entry.
    """
    before = membership_seat_summary(membership)
    after = before.after(kind, delta)
    overdraw = after.available < 0 and after.available < before.available
    if overdraw and not (allow_overdraw and actor.is_staff):
        raise NotEnoughSeats(
            f"This membership has {before.available} seat(s) available; "
            f"this change needs {before.available - after.available}."
        )
    if after.reserved < 0:
        raise Conflict("No held seat to release or use.", code="no_reserved_seat")
    entry = SeatEntry.objects.create(
        membership=membership,
        at=at,
        kind=kind,
        source=source,
        delta=delta,
        actor=actor.user,
        actor_label=actor.label,
        reason=reason,
        overdraw=overdraw,
        related_membership=related_membership,
        registration_id=registration_id,
    )
    membership.seats_granted = after.granted
    membership.seats_reserved = after.reserved
    membership.seats_used = after.used
    membership.seats_rolled_out = after.rolled_out
    membership.save(
        update_fields=["seats_granted", "seats_reserved", "seats_used", "seats_rolled_out"]
    )
    return entry


def lock_membership(membership_id: int) -> Membership:
    """Lock one membership (for the membership services, which lock nothing else)."""
    return lock(memberships=[membership_id]).memberships[membership_id]


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
def seats_add(
    *,
    actor: Principal,
    membership: Membership,
    delta: int,
    reason: str,
    adjustment: bool | None = None,
    allow_overdraw: bool = False,
    now: datetime | None = None,
) -> Membership:
    """Add purchased seats (delta > 0) or adjust the seats granted (either sign), with a reason.

    A negative delta is an adjustment; it may not take available seats below zero unless
    `allow_overdraw` is set, which is recorded.
    """
    require_staff(actor)
    reason = _require_reason(reason)
    if delta == 0 or abs(delta) > MAX_SEATS_AT_ONCE:
        raise Invalid.field(
            "delta",
            f"Give a number of seats other than zero, up to {MAX_SEATS_AT_ONCE:,} either way.",
        )
    if adjustment is False and delta < 0:
        raise Invalid.field("delta", "Purchased seats must be a positive number.")
    now = clock.resolve(now)
    membership = lock_membership(membership.pk)
    is_adjustment = adjustment if adjustment is not None else delta < 0
    ledger_append(
        membership=membership,
        kind=SeatEntryKind.ADJUSTED if is_adjustment else SeatEntryKind.GRANTED,
        source=GrantSource.NONE if is_adjustment else GrantSource.PURCHASE,
        delta=delta,
        actor=actor,
        at=now,
        reason=reason,
        allow_overdraw=allow_overdraw,
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
    reason = _require_reason(reason)
    now = clock.resolve(now)
    membership = lock_membership(membership.pk)
    if end_date <= membership.end_date:
        raise Invalid.field(
            "end_date", f"An extension must end after the current end date ({membership.end_date})."
        )
    successor = Membership.objects.filter(rolled_over_from=membership).first()
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
    if start <= membership.start_date:
        raise Invalid.field("start_date", "The next term must start after this one starts.")
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
            _welcome(contact, now)
    audit_log(
        actor=actor,
        action="membership_rolled_over",
        obj=membership,
        at=now,
        reason=reason,
        data={"seats": seats, "successor": successor.pk},
    )
    return successor


def _welcome(contact: MembershipContact, now: datetime) -> None:
    """Queue the membership welcome email to a coordinator."""
    membership = contact.membership
    message_queue(
        kind="membership_welcome",
        to=contact.email,
        name=contact.name,
        obj=membership,
        now=now,
        context=membership_email_context(membership, now.date()),
    )


@transaction.atomic
def contact_add(
    *,
    actor: Principal,
    membership: Membership,
    email: str,
    name: str,
    role: str,
    now: datetime | None = None,
) -> MembershipContact:
    """Add a contact; a coordinator gets a sign-in (by email link) to see this membership."""
    require_staff(actor)
    if role not in ContactRole.values:
        raise Invalid.field("role", "Choose coordinator or billing.")
    email = email_normalise(email)
    if not name.strip():
        raise Invalid.field("name", "Give the contact's name.")
    now = clock.resolve(now)
    contact, created = MembershipContact.objects.get_or_create(
        membership=membership, email=email, role=role, defaults={"name": name.strip()}
    )
    if not created:
        raise Conflict("This person is already a contact with that role.", code="duplicate_contact")
    if role == ContactRole.COORDINATOR:
        user_ensure(email=email, name=name.strip())
        _welcome(contact, now)
    audit_log(
        actor=actor,
        action="contact_added",
        obj=membership,
        at=now,
        data={"email": email, "role": role},
    )
    return contact


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
    reason = _require_reason(reason)
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


@transaction.atomic
def member_create(
    *,
    actor: Principal,
    name: str,
    country: str,
    tier: str,
    start_date: date,
    coordinator_name: str,
    coordinator_email: str,
    domains: Sequence[str] = (),
    end_date: date | None = None,
    seats: int | None = None,
    registration_code: str | None = None,
    now: datetime | None = None,
) -> Membership:
    """A new member in one step: the organisation, its membership and its coordinator, who
    gets the welcome email. All three are made, or none."""
    require_staff(actor)
    now = clock.resolve(now)
    org = organization_create(actor=actor, name=name, country=country, domains=domains, now=now)
    membership = membership_create(
        actor=actor,
        organization=org,
        tier=tier,
        start_date=start_date,
        end_date=end_date,
        seats=seats,
        registration_code=registration_code,
        now=now,
    )
    try:
        contact_add(
            actor=actor,
            membership=membership,
            email=coordinator_email,
            name=coordinator_name,
            role=ContactRole.COORDINATOR,
            now=now,
        )
    except DomainError as exc:  # name the form's fields, not the contact's
        fields = {f"coordinator_{k}": v for k, v in (exc.fields or {}).items()}
        raise Invalid(exc.message, code=exc.code, fields=fields or None) from exc
    return membership


MEMBER_COLUMNS = (
    "name",
    "country",
    "domains",
    "tier",
    "start_date",
    "end_date",
    "seats",
    "registration_code",
    "coordinator_name",
    "coordinator_email",
)
MAX_IMPORT_LINES = 1000


@dataclass
class ImportLine:
    line: int
    name: str
    membership: Membership | None = None
    refusal: str | None = None


@dataclass
class MemberImport:
    lines: list[ImportLine] = field(default_factory=list)
    applied: bool = False

    @property
    def refused(self) -> list[ImportLine]:
        return [line for line in self.lines if line.refusal]

    @property
    def created(self) -> list[ImportLine]:
        return [line for line in self.lines if not line.refusal]


class _Preview(Exception):
    """Raised to roll a preview back."""


def _member_from_row(actor: Principal, row: dict[str, str], now: datetime) -> Membership:
    def value(key: str) -> str:
        return (row.get(key) or "").strip()

    def day(key: str, required: bool) -> date | None:
        text = value(key)
        if not text:
            if required:
                raise Invalid.field(key, "Give a date like 2027-01-01.")
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise Invalid.field(key, f"{text!r} is not a date like 2027-01-01.") from None

    seats_text = value("seats")
    if seats_text and not seats_text.isdigit():
        raise Invalid.field("seats", f"{seats_text!r} is not a whole number of seats.")
    start = day("start_date", True)
    assert start is not None
    return member_create(
        actor=actor,
        name=value("name"),
        country=value("country"),
        domains=domains_parse(value("domains")),
        tier=value("tier").lower(),
        start_date=start,
        end_date=day("end_date", False),
        seats=int(seats_text) if seats_text else None,
        registration_code=normalize_code(value("registration_code")) or None,
        coordinator_name=value("coordinator_name"),
        coordinator_email=value("coordinator_email"),
        now=now,
    )


def members_import(
    *,
    actor: Principal,
    text: str,
    apply: bool,
    now: datetime | None = None,
    progress: Callable[[Iterable[dict[str, str]]], Iterable[dict[str, str]]] | None = None,
) -> MemberImport:
    """Create members from CSV (a header with `MEMBER_COLUMNS`; `domains` separated by spaces
    or semicolons). Each line stands alone: a refused line is reported with its reason and
    the others go ahead. With `apply=False` nothing is kept: the same work is done and rolled
    back, so the preview shows exactly what applying would do (codes included)."""
    require_staff(actor)
    now = clock.resolve(now)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in ("name", "country", "tier", "start_date") if c not in header]
    missing += [c for c in ("coordinator_name", "coordinator_email") if c not in header]
    if missing:
        raise Invalid.field("report", f"The header lacks: {', '.join(missing)}.")
    reader.fieldnames = header
    rows = list(reader)
    if len(rows) > MAX_IMPORT_LINES:
        raise Invalid.field("report", f"At most {MAX_IMPORT_LINES} lines at once.")
    result = MemberImport(applied=apply)
    try:
        with transaction.atomic():
            for number, row in enumerate(progress(rows) if progress else rows, start=2):
                line = ImportLine(line=number, name=(row.get("name") or "").strip())
                try:
                    with transaction.atomic():
                        line.membership = _member_from_row(actor, row, now)
                except DomainError as exc:
                    said = [m for ms in (exc.fields or {}).values() for m in ms]
                    told = all(m in exc.message for m in said)
                    line.refusal = exc.message if told else exc.explained()
                result.lines.append(line)
            if not apply:
                raise _Preview
    except _Preview:
        pass
    return result
