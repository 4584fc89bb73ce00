"""What every export and the coordinator's table say about a registration, read once.

One row per registration: the trainee as given with it, its status, the attendance result,
and the checkout and certificate that came from *this* registration (a checkout started
through another registration, e.g. another organisation's, is not this row's: a
coordinator sees only what came through their membership). A fixed number of queries for
any number of rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import pgettext_lazy

from lectern.certificates.models import Certificate
from lectern.checkout.models import (
    REQUIREMENT_LABELS,
    AttendanceOutcome,
    Checkout,
    CheckoutStatus,
    StepState,
)
from lectern.registrations.models import Registration

# The attendance result in words, for pages (exports keep the codes)
RESULT_LABELS = {
    "passed": pgettext_lazy("attendance result", "passed"),
    "failed": pgettext_lazy("attendance result", "failed"),
    "no-show": pgettext_lazy("attendance result", "no-show"),
}


def requirements() -> tuple[str, ...]:
    return tuple(settings.LECTERN["CHECKOUT_REQUIREMENTS"])


@dataclass
class TraineeRow:
    registration: Registration
    outcome: AttendanceOutcome | None
    checkout: Checkout | None
    certificate: Certificate | None
    steps: dict[str, str] = field(default_factory=dict)

    @property
    def result(self) -> str:
        """`passed`, `failed`, `no-show`, or "" before attendance is recorded."""
        if self.outcome is None:
            return ""
        if self.outcome.no_show:
            return "no-show"
        return "passed" if self.outcome.passed else "failed"

    @property
    def result_label(self) -> str:
        return str(RESULT_LABELS.get(self.result, self.result))

    @property
    def checkout_status(self) -> str:
        if self.checkout is None:
            return "not_started" if self.result == "passed" else ""
        return self.checkout.status

    @property
    def deadline(self) -> date | None:
        return self.checkout.deadline if self.checkout else None

    @property
    def certified(self) -> bool:
        return (
            self.checkout is not None
            and self.checkout.status == CheckoutStatus.CERTIFIED
            and self.certificate is not None
            and self.certificate.revoked_at is None
        )

    @property
    def listed(self) -> bool:
        """Shown in the public instructor directory (certified, and the trainee consented)."""
        trainee = self.registration.trainee
        return self.certified and trainee.directory_consent and trainee.erased_at is None

    @property
    def step_list(self) -> list[tuple[str, str]]:
        """(step, state) in words, in the page's language."""

        def state(code: str) -> str:
            return str(StepState(code).label).lower() if code in StepState.values else code

        return [
            (
                str(REQUIREMENT_LABELS.get(r, r.replace("_", " ").capitalize())),
                state(self.steps.get(r, "not_started")),
            )
            for r in requirements()
        ]


def trainee_rows(registrations: QuerySet[Registration]) -> list[TraineeRow]:
    registrations = registrations.select_related(
        "trainee", "event", "membership__organization"
    ).order_by("event__first_start", "trainee__name", "pk")
    found = list(registrations)
    ids = [r.pk for r in found]
    outcomes = {
        o.registration_id: o for o in AttendanceOutcome.objects.filter(registration_id__in=ids)
    }
    checkouts = {
        c.registration_id: c
        for c in Checkout.objects.filter(registration_id__in=ids).prefetch_related("steps")
    }
    certificates = {
        c.trainee_id: c
        for c in Certificate.objects.filter(
            trainee_id__in=[c.trainee_id for c in checkouts.values()]
        )
    }
    rows = []
    for registration in found:
        checkout = checkouts.get(registration.pk)
        rows.append(
            TraineeRow(
                registration=registration,
                outcome=outcomes.get(registration.pk),
                checkout=checkout,
                certificate=certificates.get(checkout.trainee_id) if checkout else None,
                steps={s.requirement: s.state for s in checkout.steps.all()} if checkout else {},
            )
        )
    return rows


def registration_header() -> list[str]:
    return [
        "registration_id",
        "event_id",
        "event",
        "event_start_utc",
        "event_timezone",
        "organisation",
        "membership_id",
        "trainee_id",
        "name",
        "email",
        "affiliation",
        "status",
        "minutes_missed",
        "result",
        "checkout_status",
        "checkout_deadline",
        *requirements(),
        "certified",
        "certificate_number",
        "directory_listed",
        "advisories",
        "registered_at_utc",
    ]


def registration_cells(rows: Iterable[TraineeRow]) -> Iterator[list[object]]:
    for row in rows:
        r = row.registration
        yield [
            r.pk,
            r.event_id,
            r.event.title,
            r.event.first_start,
            r.event.timezone,
            r.membership.organization.name,
            r.membership_id,
            r.trainee_id,
            r.submitted_name,
            r.trainee.email,
            r.submitted_affiliation,
            r.status,
            row.outcome.minutes_missed if row.outcome else "",
            row.result,
            row.checkout_status,
            row.deadline,
            *(row.steps.get(requirement, "") for requirement in requirements()),
            row.certified,
            row.certificate.number if row.certified and row.certificate else "",
            row.listed,
            " | ".join(r.advisories),
            r.created_at,
        ]
