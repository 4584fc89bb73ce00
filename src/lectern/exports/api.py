"""Exports of the API: CSV, every cell safe to open in a spreadsheet."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from lectern.checkout.services import require_event_teacher
from lectern.core import clock
from lectern.core.permissions import get_visible, principal, require_authenticated, require_staff
from lectern.core.schemas import Day, Line, refusals
from lectern.core.spreadsheet import csv_response
from lectern.events.models import Event
from lectern.events.selectors import Quarter
from lectern.exports import tables
from lectern.memberships.selectors import memberships_visible_to

router = Router(tags=["exports"])
CSV = {"responses": {200: {"description": "CSV", "content": {"text/csv": {}}}}}


@router.get(
    "/events/{event_id}/registrations.csv",
    response={200: None, **refusals(404)},
    openapi_extra=CSV,
)
def event_registrations(request: HttpRequest, event_id: int) -> HttpResponse:
    """The event's registrations with attendance, checkout and certificate (staff, the
    event's trainers)."""
    caller = principal(request)
    require_authenticated(caller)
    event = get_visible(Event.objects.all(), event_id, "event")
    require_event_teacher(caller, event)
    return csv_response(f"event-{event.pk}-registrations.csv", *tables.event_registrations(event))


@router.get(
    "/memberships/{membership_id}/trainees.csv",
    response={200: None, **refusals(404)},
    openapi_extra=CSV,
)
def membership_trainees(request: HttpRequest, membership_id: int) -> HttpResponse:
    """The membership's registrations (staff, its coordinators)."""
    caller = principal(request)
    require_authenticated(caller)
    membership = get_visible(memberships_visible_to(caller), membership_id, "membership")
    return csv_response(
        f"membership-{membership.pk}-trainees.csv", *tables.membership_trainees(membership)
    )


class QuarterIn(Schema):
    quarter: Line | None = Field(None, description="e.g. 2027-Q1; default: the current one")


@router.get(
    "/exports/registrations.csv", response={200: None, **refusals(403, 422)}, openapi_extra=CSV
)
def quarter_registrations(request: HttpRequest, query: Query[QuarterIn]) -> HttpResponse:
    """Every registration of the quarter's events (staff)."""
    require_staff(principal(request))
    quarter = Quarter.parse(query.quarter) if query.quarter else Quarter.of(clock.now().date())
    return csv_response(f"registrations-{quarter}.csv", *tables.quarter_registrations(quarter))


@router.get("/exports/checkout.csv", response={200: None, **refusals(403)}, openapi_extra=CSV)
def checkout_pipeline(request: HttpRequest) -> HttpResponse:
    """Open checkouts with their steps and deadlines, soonest first (staff)."""
    require_staff(principal(request))
    return csv_response("checkout.csv", *tables.checkout_pipeline(clock.now().date()))


class PeriodIn(Schema):
    start: Day | None = Field(None, alias="from", description="First day, YYYY-MM-DD")
    end: Day | None = Field(None, alias="to", description="Last day (included)")


@router.get(
    "/exports/certificates.csv", response={200: None, **refusals(403, 422)}, openapi_extra=CSV
)
def certificates_awarded(request: HttpRequest, query: Query[PeriodIn]) -> HttpResponse:
    """Certificates awarded in the period, with their organisation (staff)."""
    require_staff(principal(request))
    start, end = tables.period_check(query.start, query.end)
    return csv_response(f"certificates-{start}-{end}.csv", *tables.certificates_awarded(start, end))
