"""A training taught by one trainer, with a trainee whose teaching demo is submitted."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine

from lectern.accounts.services import user_ensure
from lectern.checkout import services as checkout
from lectern.core.permissions import Principal
from lectern.events import services as events
from lectern.events.services import LocalTimes
from lectern.registrations import services as registrations
from lectern.registrations.tests.conftest import details
from tests.factories import membership

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def world(system: Principal) -> dict[str, Any]:
    with time_machine.travel(NOW, tick=False):
        ours = user_ensure(email="ours@t.example", role="trainer")
        theirs = user_ensure(email="theirs@t.example", role="trainer")
        m = membership(tier="gold", start_date=date(2026, 10, 1))
        event = events.event_create(
            actor=system,
            title="Training",
            timezone="UTC",
            sessions=[LocalTimes("2027-01-05T09:00", "2027-01-05T17:00")],
            capacity=10,
            min_enrolment=1,
            trainer_ids=[ours.pk],
            now=datetime(2026, 12, 1, tzinfo=UTC),
        )
        registration = registrations.registration_create(
            actor=system,
            event_id=event.pk,
            code=m.registration_code,
            details=details(1),
            now=datetime(2026, 12, 5, tzinfo=UTC),
        ).registration
        checkout.attendance_record(
            actor=system, event=event, records=[checkout.AttendanceRecord(registration.pk, 0)]
        )
        trainee = registration.trainee
        for requirement in ("welcome_session", "get_involved"):
            checkout.progress_record(
                actor=system, trainee=trainee, requirement=requirement, state="passed"
            )
        checkout.progress_record(
            actor=system, trainee=trainee, requirement="teaching_demo", state="submitted"
        )
    return {"ours": ours, "theirs": theirs, "trainee": trainee}
