"""A scheduled event two months ahead, and a member organisation with a coordinator."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine

from lectern.events import services as event_services
from lectern.events.services import LocalTimes
from lectern.memberships import services as membership_services
from lectern.registrations.services import TraineeDetails
from tests.factories import membership

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def details(n: int = 0, **extra: Any) -> TraineeDetails:
    values: dict[str, Any] = dict(
        name=f"Trainee {n}",
        email=f"trainee{n}@uni.example",
        affiliation="Uni",
        country="NZ",
        technologies=["python"],
        usage_frequency="weekly",
        carpentries_experience=["helper"],
        accept_code_of_conduct=True,
        accept_privacy=True,
    )
    return TraineeDetails(**{**values, **extra})


def body(event_id: int, code: str, n: int = 0, **extra: Any) -> dict[str, Any]:
    values = dict(
        event_id=event_id,
        code=code,
        name=f"Trainee {n}",
        email=f"trainee{n}@uni.example",
        affiliation="Uni",
        country="NZ",
        technologies=["python"],
        usage_frequency="weekly",
        carpentries_experience=["helper"],
        accept_code_of_conduct=True,
        accept_privacy=True,
    )
    return {**values, **extra}


def make_event(day: str = "2027-03-10", timezone: str = "America/New_York", **extra: Any):
    from lectern.core.permissions import Principal

    return event_services.event_create(
        actor=Principal.as_system(),
        title=extra.pop("title", "Instructor Training"),
        timezone=timezone,
        sessions=[LocalTimes(f"{day}T09:00", f"{day}T17:00")],
        capacity=extra.pop("capacity", 10),
        min_enrolment=extra.pop("min_enrolment", 1),
        meeting_url="https://meet.example/room-42",
        preparation_notes="Install Zoom.",
        **extra,
    )


@pytest.fixture
def event(db: Any):
    return make_event()


@pytest.fixture
def member(db: Any, system: Any):
    m = membership(tier="silver", start_date=date(2026, 10, 1))
    membership_services.contact_add(
        actor=system, membership=m, email="coord@uni.example", name="Co Ord", role="coordinator"
    )
    return m
