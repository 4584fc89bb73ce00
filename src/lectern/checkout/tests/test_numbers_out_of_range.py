"""A number too large for the database is a 422 in the error shape, on either database, and
nothing is written (found by fuzzing a running server: it was a 500 on SQLite)."""

from __future__ import annotations

import pytest

from lectern.checkout.models import AttendanceOutcome, SessionAttendance
from tests.factories import membership

pytestmark = pytest.mark.django_db
HUGE = 2**70


def test_an_attendance_record_for_a_huge_registration_id(staff_api, event) -> None:
    response = staff_api.post(
        f"/events/{event.pk}/attendance",
        {"records": [{"registration_id": HUGE, "minutes_missed": 0}]},
    )
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "validation_error"
    assert not SessionAttendance.objects.exists()
    assert not AttendanceOutcome.objects.exists()


@pytest.mark.parametrize("delta", [HUGE, -HUGE, 2**40])
def test_seats_added_beyond_any_column(staff_api, delta) -> None:
    member = membership()
    before = member.seats_granted
    response = staff_api.post(
        f"/memberships/{member.pk}/seats",
        {"delta": delta, "reason": "fuzz", "allow_overdraw": True},
    )
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert set(response.json()) == {"error"}
        member.refresh_from_db()
        assert member.seats_granted == before
