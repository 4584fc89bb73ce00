"""The exports, each a header and its rows, for the API and the back office alike."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from django.db.models import Count

from lectern.certificates.models import Certificate
from lectern.checkout.models import Checkout, CheckoutStatus
from lectern.core.errors import Invalid
from lectern.events.models import Event
from lectern.events.selectors import Quarter
from lectern.exports.rows import registration_cells, registration_header, requirements, trainee_rows
from lectern.memberships.models import Membership
from lectern.registrations.models import Registration

Table = tuple[list[str], Iterator[list[object]]]


def event_registrations(event: Event) -> Table:
    rows = trainee_rows(Registration.objects.filter(event=event))
    return registration_header(), registration_cells(rows)


def membership_trainees(membership: Membership) -> Table:
    rows = trainee_rows(Registration.objects.filter(membership=membership))
    return registration_header(), registration_cells(rows)


def quarter_registrations(quarter: Quarter) -> Table:
    """Every registration of the events of a quarter (by the first session's local date)."""
    rows = trainee_rows(
        Registration.objects.filter(
            event__first_local_date__gte=quarter.first_day,
            event__first_local_date__lte=quarter.last_day,
        )
    )
    return registration_header(), registration_cells(rows)


def checkout_pipeline(today: date) -> Table:
    """Open checkouts, soonest deadline first: who is due when, and what is left."""
    checkouts = (
        Checkout.objects.filter(status=CheckoutStatus.IN_PROGRESS)
        .select_related("trainee", "registration__event", "registration__membership__organization")
        .prefetch_related("steps")
        .annotate(extension_count=Count("extensions"))
        .order_by("deadline", "trainee__name", "pk")
    )
    header = [
        "trainee_id",
        "name",
        "email",
        "organisation",
        "event_id",
        "event",
        "deadline",
        "days_left",
        *requirements(),
        "extensions",
    ]

    def cells() -> Iterator[list[object]]:
        for c in checkouts:
            steps = {s.requirement: s.state for s in c.steps.all()}
            yield [
                c.trainee_id,
                c.trainee.name,
                c.trainee.email,
                c.registration.membership.organization.name,
                c.registration.event_id,
                c.registration.event.title,
                c.deadline,
                (c.deadline - today).days,
                *(steps.get(r, "") for r in requirements()),
                c.extension_count,
            ]

    return header, cells()


def period_check(start: date | None, end: date | None) -> tuple[date, date]:
    if start is None or end is None:
        raise Invalid(
            "Give the period: from and to (YYYY-MM-DD).",
            fields={
                **({"from": ["Required."]} if start is None else {}),
                **({"to": ["Required."]} if end is None else {}),
            },
        )
    if end < start:
        raise Invalid.field("to", "The period ends before it starts.")
    return start, end


def certificates_awarded(start: date, end: date) -> Table:
    """Certificates awarded in the period (both days included), with the organisation whose
    registration led to them."""
    certificates = (
        Certificate.objects.filter(awarded_on__gte=start, awarded_on__lte=end)
        .select_related(
            "trainee__checkout__registration__membership__organization",
            "trainee__checkout__registration__event",
        )
        .order_by("awarded_on", "number")
    )
    header = [
        "number",
        "name_on_certificate",
        "email",
        "awarded_on",
        "organisation",
        "membership_id",
        "event_id",
        "event",
        "revoked",
        "reissued_at_utc",
        "directory_listed",
    ]

    def cells() -> Iterator[list[object]]:
        for c in certificates:
            checkout = getattr(c.trainee, "checkout", None)
            registration = checkout.registration if checkout else None
            yield [
                c.number,
                c.name_on_certificate,
                c.trainee.email,
                c.awarded_on,
                registration.membership.organization.name if registration else "",
                registration.membership_id if registration else "",
                registration.event_id if registration else "",
                registration.event.title if registration else "",
                c.revoked_at is not None,
                c.reissued_at,
                c.trainee.directory_consent
                and c.revoked_at is None
                and c.trainee.erased_at is None,
            ]

    return header, cells()
