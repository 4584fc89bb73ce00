"""The staff programme dashboard: the pipeline per quarter, events at risk, capacity."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.admin.views.decorators import staff_member_required
from django.db.models import Count, F, Min, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lectern.checkout.models import Checkout, CheckoutStatus, Step, StepState
from lectern.checkout.selectors import attendance_incomplete
from lectern.checkout_sessions.selectors import sessions_ahead
from lectern.core import clock
from lectern.events.models import Event, EventStatus
from lectern.events.selectors import Quarter
from lectern.memberships.models import Membership
from lectern.memberships.selectors import add_months
from lectern.registrations.models import Registration, RegistrationStatus
from lectern.trainers.selectors import StaffingRow, staffing

STAGES = ("registered", "attended", "passed", "certified", "expired")


@dataclass(frozen=True)
class QuarterRow:
    quarter: Quarter
    counts: dict[str, int]


def pipeline(quarters: list[Quarter]) -> list[QuarterRow]:
    """Per quarter of the event's first day: registered, attended (showed up), passed,
    certified, expired. A handful of grouped queries whatever the number of trainees."""
    first, last = quarters[0].first_day, quarters[-1].last_day
    counts: dict[Quarter, dict[str, int]] = defaultdict(lambda: dict.fromkeys(STAGES, 0))
    registrations = (
        Registration.objects.filter(event__first_local_date__range=(first, last))
        .exclude(status=RegistrationStatus.CANCELLED)
        .values("event__first_local_date", "status")
        .annotate(n=Count("id"), no_shows=Count("id", filter=Q(outcome__no_show=True)))
    )
    for row in registrations:
        stage = counts[Quarter.of(row["event__first_local_date"])]
        stage["registered"] += row["n"]
        if row["status"] in (RegistrationStatus.ATTENDED, RegistrationStatus.FAILED):
            stage["attended"] += row["n"] - row["no_shows"]
        if row["status"] == RegistrationStatus.ATTENDED:
            stage["passed"] += row["n"]
    checkouts = (
        Checkout.objects.filter(
            registration__event__first_local_date__range=(first, last),
            status__in=[CheckoutStatus.CERTIFIED, CheckoutStatus.EXPIRED],
        )
        .values("registration__event__first_local_date", "status")
        .annotate(n=Count("id"))
    )
    for row in checkouts:
        counts[Quarter.of(row["registration__event__first_local_date"])][row["status"]] += row["n"]
    return [QuarterRow(q, counts[q]) for q in quarters]


def chart(rows: list[QuarterRow]) -> dict[str, object]:
    """Bars per quarter and stage, laid out for the SVG in the template."""
    width, height, left, bottom, top = 720, 260, 40, 40, 16
    peak = max([1, *(v for r in rows for v in r.counts.values())])
    group = (width - left) / max(len(rows), 1)
    bar = group / (len(STAGES) + 1)
    bars, labels = [], []
    for i, row in enumerate(rows):
        x0 = left + i * group
        labels.append({"x": x0 + group / 2, "y": height - bottom + 16, "text": str(row.quarter)})
        for j, stage in enumerate(STAGES):
            h = (height - bottom - top) * row.counts[stage] / peak
            bars.append(
                {
                    "x": round(x0 + j * bar + bar / 2, 1),
                    "y": round(height - bottom - h, 1),
                    "w": round(bar * 0.9, 1),
                    "h": round(h, 1),
                    "stage": stage,
                    "value": row.counts[stage],
                    "quarter": str(row.quarter),
                }
            )
    return {
        "width": width,
        "height": height,
        "bars": bars,
        "labels": labels,
        "baseline": height - bottom,
        "left": left,
        "peak": peak,
    }


@dataclass(frozen=True)
class Forecast:
    seats_available: int
    memberships: int
    past_six_months: int
    places_left: int

    @property
    def gap(self) -> int:
        return self.seats_available - self.places_left


def capacity_forecast(today: date) -> Forecast:
    """Seats still available on active memberships against places left in scheduled events
    this quarter and next: whether to schedule more events."""
    active = Membership.objects.filter(start_date__lte=today, end_date__gte=today)
    seats = active.aggregate(
        available=Sum(
            F("seats_granted") - F("seats_reserved") - F("seats_used") - F("seats_rolled_out")
        ),
        n=Count("id"),
    )
    past_six = sum(
        1 for start in active.values_list("start_date", flat=True) if add_months(start, 6) <= today
    )
    quarter = Quarter.of(today)
    places = Event.objects.filter(
        status=EventStatus.SCHEDULED,
        public=True,
        first_start__date__gt=today,
        first_local_date__lte=quarter.next().last_day,
    ).aggregate(left=Sum(F("capacity") - F("places_taken")))
    return Forecast(max(seats["available"] or 0, 0), seats["n"] or 0, past_six, places["left"] or 0)


def events_at_risk(today: date) -> list[Event]:
    """Scheduled events in the next 30 days below their minimum (not run regardless)."""
    return list(
        Event.objects.filter(
            status=EventStatus.SCHEDULED,
            run_regardless=False,
            first_start__date__gte=today,
            first_start__date__lte=today + timedelta(days=30),
            places_taken__lt=F("min_enrolment"),
        ).order_by("first_start")
    )


@dataclass(frozen=True)
class WaitingSteps:
    requirement: str
    waiting: int
    oldest: datetime | None

    @property
    def label(self) -> str:
        return self.requirement.replace("_", " ").capitalize()


def steps_waiting() -> list[WaitingSteps]:
    """Submitted checkout steps waiting for review, per requirement, oldest first."""
    rows = (
        Step.objects.filter(state=StepState.SUBMITTED)
        .values("requirement")
        .annotate(n=Count("id"), oldest=Min("updated_at"))
        .order_by("oldest")
    )
    return [WaitingSteps(r["requirement"], r["n"], r["oldest"]) for r in rows]


def events_short_of_trainers(now: datetime) -> list[StaffingRow]:
    """Upcoming events with fewer trainers than the programme's minimum (two)."""
    return [row for row in staffing(now) if row.short_by]


@staff_member_required
def dashboard(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    today = now.date()
    quarter = Quarter.of(today)
    quarters = [quarter]
    for _ in range(5):
        previous = quarters[0]
        quarters.insert(
            0,
            Quarter(previous.year - 1, 4)
            if previous.number == 1
            else Quarter(previous.year, previous.number - 1),
        )
    quarters.append(quarter.next())
    rows = pipeline(quarters)
    sessions, places_left = sessions_ahead(now)
    return render(
        request,
        "checkout/dashboard.html",
        {
            "rows": rows,
            "chart": chart(rows),
            "stages": STAGES,
            "at_risk": events_at_risk(today),
            "attendance_incomplete": attendance_incomplete(now),
            "steps_waiting": steps_waiting(),
            "short_of_trainers": events_short_of_trainers(now),
            "forecast": capacity_forecast(today),
            "sessions_upcoming": sessions,
            "sessions_places_left": places_left,
        },
    )
