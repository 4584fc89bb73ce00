"""Coordinator pages: their memberships, seats and trainees."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from lectern.core import clock
from lectern.core.errors import NotFound
from lectern.core.permissions import Principal, get_visible
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


def _registrations(membership: Membership) -> Any:
    return membership.registrations.select_related("trainee", "event").order_by(
        "-created_at", "-id"
    )


@login_required
def trainees_csv(request: HttpRequest, membership_id: int) -> HttpResponse:
    """The membership's trainees as CSV, for coordinators' own records."""
    membership = _membership(request, membership_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="trainees-{membership.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "name",
            "email",
            "affiliation",
            "event",
            "event_start_utc",
            "status",
            "registered_at_utc",
            "advisories",
        ]
    )
    for r in _registrations(membership):
        writer.writerow(
            [
                r.submitted_name,
                r.trainee.email,
                r.submitted_affiliation,
                r.event.title,
                f"{r.event.first_start:%Y-%m-%d %H:%M}",
                r.status,
                f"{r.created_at:%Y-%m-%d %H:%M}",
                " | ".join(r.advisories),
            ]
        )
    return response


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
            "registrations": _registrations(membership),
            "today": today,
        },
    )
