"""Coordinators' check-ins carry each trainee's event, result, checkout steps and deadline."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lectern.checkout.services import AttendanceRecord, attendance_record
from lectern.core.permissions import Principal
from lectern.events import services as event_services
from lectern.events.services import LocalTimes
from lectern.memberships import services as membership_services
from lectern.memberships.rules import coordinator_checkins
from lectern.notifications.models import Message
from lectern.registrations.services import TraineeDetails, registration_create
from tests.factories import membership

pytestmark = pytest.mark.django_db

STAFF = Principal.as_system()
START = date(2026, 1, 15)
EARLY = datetime(2026, 1, 20, tzinfo=UTC)


def trainee(n: int) -> TraineeDetails:
    return TraineeDetails(
        name=f"Trainee {n}",
        email=f"t{n}@uni.example",
        affiliation="Uni",
        country="NZ",
        technologies=["git"],
        usage_frequency="daily",
        carpentries_experience=["none"],
        accept_code_of_conduct=True,
        accept_privacy=True,
    )


def test_the_three_month_checkin_shows_each_trainees_progress() -> None:
    m = membership(start_date=START)
    membership_services.contact_add(
        actor=STAFF, membership=m, email="coord@uni.example", name="Co", role="coordinator"
    )
    other = membership(start_date=START)
    past = event_services.event_create(
        actor=STAFF,
        title="February training",
        timezone="Europe/Berlin",
        sessions=[LocalTimes("2026-02-20T09:00", "2026-02-20T17:00")],
        capacity=10,
        min_enrolment=1,
        now=EARLY,
    )
    upcoming = event_services.event_create(
        actor=STAFF,
        title="May training",
        timezone="Europe/Berlin",
        sessions=[LocalTimes("2026-05-20T09:00", "2026-05-20T17:00")],
        capacity=10,
        min_enrolment=1,
        now=EARLY,
    )
    passed, failed, elsewhere = (
        registration_create(
            actor=STAFF, event_id=past.pk, code=mem.registration_code, details=trainee(n), now=EARLY
        ).registration
        for n, mem in ((1, m), (2, m), (3, other))
    )
    registration_create(
        actor=STAFF, event_id=upcoming.pk, code=m.registration_code, details=trainee(4), now=EARLY
    )
    attendance_record(
        actor=STAFF,
        event=past,
        records=[
            AttendanceRecord(passed.pk, minutes_missed=0),
            AttendanceRecord(failed.pk, minutes_missed=200),
            AttendanceRecord(elsewhere.pk, minutes_missed=0),
        ],
        now=datetime(2026, 2, 21, tzinfo=UTC),
    )
    assert coordinator_checkins(datetime(2026, 4, 15, 8, 0, tzinfo=UTC)) == 1
    checkin = Message.objects.get(kind="coordinator_checkin")
    text = checkin.body_text
    assert "- Trainee 1: February training (20 February 2026), passed the training" in text
    assert "  Checkout: in progress, deadline 21 May 2026" in text
    assert "    Welcome Session: not started" in text
    assert "    Teaching Demo: not started" in text
    assert "- Trainee 2: February training (20 February 2026), did not pass the training" in text
    assert "- Trainee 4: May training (20 May 2026), registered" in text
    assert "Trainee 3" not in text  # another membership's trainee
    assert "Trainee 1" in checkin.body_html
