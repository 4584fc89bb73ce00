"""Coordinator pages: their memberships, seats and trainees."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from lectern.core import clock
from lectern.core.errors import NotFound
from lectern.core.permissions import Principal, get_visible
from lectern.core.spreadsheet import csv_response
from lectern.exports import tables
from lectern.exports.rows import trainee_rows
from lectern.memberships.charts import seat_chart
from lectern.memberships.models import Membership
from lectern.memberships.selectors import (
    attendance_advice,
    membership_seat_summary,
    memberships_visible_to,
    seat_use_series,
)


def _principal(request: HttpRequest) -> Principal:
    user = request.user
    return Principal(user=user) if user.is_authenticated else Principal.anonymous()


@login_required
def my_memberships(request: HttpRequest) -> HttpResponse:
    memberships = memberships_visible_to(_principal(request)).order_by("-start_date")
    return render(request, "memberships/mine.html", {"memberships": memberships})


def _membership(request: HttpRequest, membership_id: int) -> Membership:
    try:
        return get_visible(memberships_visible_to(_principal(request)), membership_id, "membership")
    except NotFound as exc:
        raise Http404(exc.message) from None


@login_required
def trainees_csv(request: HttpRequest, membership_id: int) -> HttpResponse:
    """The membership's trainees as CSV, for coordinators' own records: the same columns as
    `GET /memberships/{id}/trainees.csv`, no cell a spreadsheet would run. Its column names
    and codes (`confirmed`, `passed`) stay English in every language: they are the API's
    field names and values, which a coordinator's spreadsheet or script may rely on."""
    membership = _membership(request, membership_id)
    return csv_response(f"trainees-{membership.pk}.csv", *tables.membership_trainees(membership))


@login_required
def membership_page(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = _membership(request, membership_id)
    today = clock.now().date()
    series = seat_use_series(membership)
    return render(
        request,
        "memberships/detail.html",
        {
            "membership": membership,
            "seats": membership_seat_summary(membership),
            "advice": attendance_advice(membership, today),
            "chart": seat_chart(series, membership.start_date, membership.end_date, today),
            "series": series,
            "contacts": membership.contacts.order_by("role", "name"),
            "rows": trainee_rows(membership.registrations.all()),
            "today": today,
        },
    )
