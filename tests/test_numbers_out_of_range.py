"""A number too large for its field is refused with a clear message on either database, and
nothing is written (found by fuzzing a running server: these were 500s)."""

from __future__ import annotations

import pytest
from django.test import Client

from lectern.checkout.models import AttendanceOutcome, SessionAttendance
from lectern.events.models import Event
from tests.factories import membership

pytestmark = pytest.mark.django_db
HUGE = 2**70


def test_an_attendance_record_for_a_huge_registration_id(staff_api, world) -> None:
    attended_before = (SessionAttendance.objects.count(), AttendanceOutcome.objects.count())
    response = staff_api.post(
        f"/events/{world['ids']['P']}/attendance",
        {"records": [{"registration_id": HUGE, "minutes_missed": 0}]},
    )
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "validation_error"
    after = (SessionAttendance.objects.count(), AttendanceOutcome.objects.count())
    assert after == attended_before


@pytest.mark.parametrize("delta", [HUGE, -HUGE, 2**40, 10_001])
def test_seats_past_any_membership_are_refused_on_the_field(staff_api, delta) -> None:
    member = membership()
    before = member.seats_granted
    response = staff_api.post(
        f"/memberships/{member.pk}/seats",
        {"delta": delta, "reason": "fuzz", "allow_overdraw": True},
    )
    assert response.status_code == 422, response.content
    assert "delta" in response.json()["error"]["fields"]
    member.refresh_from_db()
    assert member.seats_granted == before


@pytest.mark.parametrize("capacity", [HUGE, 2**40, 1001])
def test_a_capacity_past_any_event_is_refused_on_the_field(staff_api, capacity) -> None:
    response = staff_api.post(
        "/events",
        {
            "title": "Too big",
            "timezone": "UTC",
            "capacity": capacity,
            "min_enrolment": 1,
            "sessions": [{"start": "2027-03-01T09:00", "end": "2027-03-01T17:00"}],
        },
    )
    assert response.status_code == 422, response.content
    assert "capacity" in response.json()["error"]["fields"]
    assert not Event.objects.filter(title="Too big").exists()


def test_the_back_office_refuses_them_on_the_form(staff_user) -> None:
    member = membership()
    client = Client()
    client.force_login(staff_user)
    response = client.post(
        f"/admin/memberships/membership/{member.pk}/seats/",
        {"delta": str(2**40), "reason": "fuzz"},
    )
    assert response.status_code == 200
    assert "up to 10,000 either way" in response.content.decode()
