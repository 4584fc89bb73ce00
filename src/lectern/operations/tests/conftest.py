"""An event two months ahead and a silver membership, at a fixed moment."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine

from lectern.events import services as event_services
from lectern.events.services import LocalTimes
from lectern.registrations.tests.conftest import body
from tests.factories import membership

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def event(db: Any, frozen: Any) -> Any:
    from lectern.core.permissions import Principal

    return event_services.event_create(
        actor=Principal.as_system(),
        title="Instructor Training",
        timezone="UTC",
        sessions=[LocalTimes("2027-03-10T09:00", "2027-03-10T17:00")],
        capacity=10,
        min_enrolment=1,
        meeting_url="https://meet.example/room-42",
        preparation_notes="Install Zoom.",
    )


@pytest.fixture
def member(db: Any, frozen: Any) -> Any:
    return membership(tier="silver", start_date=date(2026, 10, 1))


@pytest.fixture
def register(anon_api: Any, event: Any, member: Any) -> Any:
    """POST /registrations for person n; returns the response."""

    def make(n: int = 0, code: str | None = None, **extra: Any) -> Any:
        payload = body(event.pk, code or member.registration_code, n, **extra)
        return anon_api.post("/registrations", payload)

    return make
