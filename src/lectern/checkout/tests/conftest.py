"""A two-session event that has just ended, with registrations from one membership."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from lectern.core.permissions import Principal
from lectern.events import services as event_services
from lectern.events.services import LocalTimes
from lectern.registrations import services as registration_services
from lectern.registrations.tests.conftest import details
from tests.factories import membership

BEFORE = datetime(2027, 1, 5, tzinfo=UTC)  # registrations happen before the event
AFTER = datetime(2027, 1, 31, 20, 0, tzinfo=UTC)  # attendance is recorded after it


def registered(event: Any, member: Any, n: int) -> Any:
    return registration_services.registration_create(
        actor=Principal.anonymous(),
        event_id=event.pk,
        code=member.registration_code,
        details=details(n),
        now=BEFORE,
    ).registration


def past_event(
    timezone: str = "America/New_York",
    days: tuple[str, str] = ("2027-01-30", "2027-01-31"),
    **extra: Any,
) -> Any:
    return event_services.event_create(
        actor=Principal.as_system(),
        title="January training",
        timezone=timezone,
        sessions=[LocalTimes(f"{d}T09:00", f"{d}T17:00") for d in days],
        capacity=extra.pop("capacity", 10),
        min_enrolment=1,
        now=BEFORE,
        **extra,
    )


@pytest.fixture
def member(db: Any) -> Any:
    return membership(tier="silver", start_date=date(2026, 10, 1))


@pytest.fixture
def event(db: Any) -> Any:
    return past_event()
