"""A training that ended on 31 January 2027, trainees whose checkout is open, a host trainer
and the sessions of February on the calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from lectern.accounts.services import user_ensure
from lectern.checkout import services as checkout
from lectern.checkout.tests.conftest import AFTER, past_event, registered
from lectern.checkout_sessions.services import checkout_session_create
from lectern.core.permissions import Principal
from lectern.registrations.tokens import trainee_token
from tests.factories import membership

SIGNUP_TIME = datetime(2027, 2, 1, 12, 0, tzinfo=UTC)  # after the training, before the sessions
# The demo below: Wednesday 10 February 2027, 15:00-16:00 in Berlin (CET, UTC+1) = 14:00Z.
DEMO_START = datetime(2027, 2, 10, 14, 0, tzinfo=UTC)


def open_checkouts(n: int, *, capacity: int = 40) -> list[Any]:
    """`n` trainees who passed the training (their checkout is open)."""
    event = past_event(capacity=capacity)
    member = membership(tier="custom", seats=max(n, 1), start_date=date(2026, 10, 1))
    registrations = [registered(event, member, i) for i in range(n)]
    checkout.attendance_record(
        actor=Principal.as_system(),
        event=event,
        now=AFTER,
        records=[checkout.AttendanceRecord(r.pk, 0) for r in registrations],
    )
    return [r.trainee for r in registrations]


def session(
    host: Any, *, kind: str = "teaching_demo", day: str = "2027-02-10", **extra: Any
) -> Any:
    return checkout_session_create(
        actor=Principal.as_system(),
        kind=kind,
        host=host,
        timezone=extra.pop("timezone", "Europe/Berlin"),
        start=extra.pop("start", f"{day}T15:00"),
        end=extra.pop("end", f"{day}T16:00"),
        capacity=extra.pop("capacity", 4),
        meeting_url="https://meet.example/demo",
        now=AFTER,
        **extra,
    )


def token_of(trainee: Any) -> str:
    trainee.refresh_from_db()
    return trainee_token(trainee.pk, trainee.link_nonce)


@pytest.fixture
def host(db: Any) -> Any:
    return user_ensure(email="host@trainers.example", role="trainer", name="Hana Host")


@pytest.fixture
def other_trainer(db: Any) -> Any:
    return user_ensure(email="other@trainers.example", role="trainer", name="Otto Other")


@pytest.fixture
def trainees(db: Any) -> list[Any]:
    return open_checkouts(3)


@pytest.fixture
def demo(host: Any) -> Any:
    return session(host)
