"""Reads about memberships and seats, shared by the API, pages, admin and CLI."""

from __future__ import annotations

import calendar
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date

from django.conf import settings
from django.db.models import QuerySet, Sum

from lectern.accounts.models import normalize_email
from lectern.core.permissions import Principal
from lectern.memberships.models import (
    ContactRole,
    Membership,
    SeatEntry,
    SeatEntryKind,
    Tier,
)


@dataclass(frozen=True)
class SeatSummary:
    granted: int = 0
    reserved: int = 0
    used: int = 0
    rolled_out: int = 0

    @property
    def available(self) -> int:
        return self.granted - self.reserved - self.used - self.rolled_out

    def as_dict(self) -> dict[str, int]:
        return {**asdict(self), "available": self.available}

    def after(self, kind: str, delta: int) -> SeatSummary:
        """Return the summary once an entry of `kind` moving `delta` seats is added."""
        granted, reserved, used, rolled_out = (
            self.granted,
            self.reserved,
            self.used,
            self.rolled_out,
        )
        if kind in (SeatEntryKind.GRANTED, SeatEntryKind.ADJUSTED):
            granted += delta
        elif kind == SeatEntryKind.RESERVED:
            reserved += delta
        elif kind == SeatEntryKind.RELEASED:
            reserved -= delta
        elif kind == SeatEntryKind.USED:
            reserved -= delta
            used += delta
        elif kind == SeatEntryKind.ROLLED_OUT:
            rolled_out += delta
        else:
            raise ValueError(f"unknown seat entry kind {kind!r}")
        return SeatSummary(granted, reserved, used, rolled_out)


def tier_default_seats(tier: str) -> int | None:
    """Seats a tier grants; None for a custom tier, whose seats are given."""
    return settings.LECTERN["TIER_SEATS"].get(tier)


def tiers() -> list[str]:
    return [t.value for t in Tier]


def membership_seat_summary(membership: Membership) -> SeatSummary:
    """The seat figures shown everywhere: the ledger's running totals."""
    return SeatSummary(
        granted=membership.seats_granted,
        reserved=membership.seats_reserved,
        used=membership.seats_used,
        rolled_out=membership.seats_rolled_out,
    )


def summary_from_entries(entries: Iterable[tuple[str, int]]) -> SeatSummary:
    summary = SeatSummary()
    for kind, delta in entries:
        summary = summary.after(kind, delta)
    return summary


def ledger_recount(membership: Membership) -> SeatSummary:
    """Recount a membership's seats from all its ledger entries."""
    totals = membership.ledger.values_list("kind").annotate(total=Sum("delta"))
    return summary_from_entries(totals)


def ledger_recount_all() -> dict[int, SeatSummary]:
    """Recount every membership from the ledger in one grouped query."""
    rows = SeatEntry.objects.values_list("membership_id", "kind").annotate(total=Sum("delta"))
    by_membership: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for membership_id, kind, total in rows.order_by():
        by_membership[membership_id].append((kind, total))
    return {mid: summary_from_entries(entries) for mid, entries in by_membership.items()}


def memberships_visible_to(principal: Principal) -> QuerySet[Membership]:
    """Staff see every membership; a coordinator the ones they coordinate; others none."""
    memberships = Membership.objects.select_related("organization")
    if principal.is_staff:
        return memberships
    if principal.user is None:
        return memberships.none()
    coordinated = Membership.objects.filter(
        contacts__email=normalize_email(principal.user.email),
        contacts__role=ContactRole.COORDINATOR,
    ).values("pk")
    return memberships.filter(pk__in=coordinated)


def add_months(day: date, months: int) -> date:
    """Return the same day `months` later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def one_year_end(start: date) -> date:
    """The default end date: the day before the same date next year."""
    return date.fromordinal(add_months(start, 12).toordinal() - 1)


def membership_warnings(membership: Membership) -> list[str]:
    """Advice for staff that does not block anything."""
    warnings = []
    if membership.end_date != one_year_end(membership.start_date):
        days = (membership.end_date - membership.start_date).days + 1
        warnings.append(f"This membership lasts {days} days, not the usual one year.")
    return warnings


@dataclass(frozen=True)
class AttendanceAdvice:
    """Advice: attend within the first six months of the membership year (advice only)."""

    advised_until: date
    days_left: int
    seats_unused: int


def attendance_advice(membership: Membership, today: date) -> AttendanceAdvice:
    months = settings.LECTERN["ADVISED_ATTENDANCE_MONTHS"]
    advised_until = date.fromordinal(add_months(membership.start_date, months).toordinal() - 1)
    start = max(today, membership.start_date)
    days_left = max(0, (advised_until - start).days + 1)
    return AttendanceAdvice(advised_until, days_left, membership.seats_available)


def membership_email_context(membership: Membership, today: date) -> dict[str, object]:
    """What every email about a membership shows: its seats, the advice, its page."""
    return {
        "membership": membership,
        "seats": membership_seat_summary(membership),
        "advice": attendance_advice(membership, today),
        "url": f"{settings.BASE_URL}/memberships/{membership.pk}/",
        "calendar_url": f"{settings.BASE_URL}/calendar/",
    }


@dataclass(frozen=True)
class SeatUsePoint:
    day: date
    available: int
    reserved: int
    used: int


def seat_use_series(membership: Membership) -> list[SeatUsePoint]:
    """The seat figures at the end of each day a ledger entry was written."""
    summary = SeatSummary()
    points: dict[date, SeatUsePoint] = {}
    for kind, delta, at in membership.ledger.order_by("at", "id").values_list(
        "kind", "delta", "at"
    ):
        summary = summary.after(kind, delta)
        points[at.date()] = SeatUsePoint(
            at.date(), summary.available, summary.reserved, summary.used
        )
    return list(points.values())
