"""A new member in one step, and many from a CSV file."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction

from lectern.core import clock
from lectern.core.errors import DomainError, Invalid
from lectern.core.permissions import Principal, require_staff
from lectern.memberships.codes import normalize_code
from lectern.memberships.models import (
    ContactRole,
    Membership,
)
from lectern.memberships.services.contacts import contact_add
from lectern.memberships.services.organisations import domains_parse, organization_create
from lectern.memberships.services.terms import membership_create


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
    if seats_text and not (seats_text.isascii() and seats_text.isdigit()):  # not "²"
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
    try:
        rows = list(reader)
    except csv.Error:  # a cell past the csv module's limit (128 kB)
        raise Invalid.field(
            "report", f"Line {reader.line_num + 1} is not readable: a cell is too long."
        ) from None
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
