"""The exports in the back office: one page of links and forms, CSV downloads signed in."""

from __future__ import annotations

from datetime import date

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from lectern.core import clock
from lectern.core.errors import Invalid
from lectern.core.spreadsheet import csv_response
from lectern.events.models import Event
from lectern.events.selectors import Quarter
from lectern.exports import tables


def _refused(request: HttpRequest, error: Invalid) -> HttpResponse:
    return render(request, "exports/index.html", _context(error.explained()), status=422)


def _context(error: str = "") -> dict[str, object]:
    quarter = Quarter.of(clock.now().date())
    return {"quarter": quarter, "next_quarter": quarter.next(), "error": error}


@staff_member_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "exports/index.html", _context())


@staff_member_required
def quarter_registrations(request: HttpRequest) -> HttpResponse:
    try:
        text = request.GET.get("quarter", "").strip()
        quarter = Quarter.parse(text) if text else Quarter.of(clock.now().date())
    except Invalid as error:
        return _refused(request, error)
    return csv_response(f"registrations-{quarter}.csv", *tables.quarter_registrations(quarter))


@staff_member_required
def checkout_pipeline(request: HttpRequest) -> HttpResponse:
    return csv_response("checkout.csv", *tables.checkout_pipeline(clock.now().date()))


def _day(text: str, name: str) -> date | None:
    if not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid.field(name, "Give a date as YYYY-MM-DD.") from None


@staff_member_required
def certificates_awarded(request: HttpRequest) -> HttpResponse:
    try:
        start, end = tables.period_check(
            _day(request.GET.get("from", ""), "from"), _day(request.GET.get("to", ""), "to")
        )
    except Invalid as error:
        return _refused(request, error)
    return csv_response(f"certificates-{start}-{end}.csv", *tables.certificates_awarded(start, end))


@staff_member_required
def event_registrations(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(Event, pk=event_id)
    return csv_response(f"event-{event.pk}-registrations.csv", *tables.event_registrations(event))
