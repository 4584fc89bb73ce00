"""A small world for the tests that try every caller on every endpoint and page: two
organisations, events past and future, registrations, a certified trainee, and one caller of
each kind. Ids are written `{A}` in paths and bodies and put in by `fill`."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import time_machine

from lectern.accounts.services import token_create, user_ensure
from lectern.checkout import services as checkout
from lectern.core.permissions import Principal
from lectern.events import services as events
from lectern.events.services import LocalTimes
from lectern.memberships import services as memberships
from lectern.registrations import services as registrations
from lectern.registrations.tests.conftest import details
from lectern.registrations.tokens import manage_token, trainee_token
from tests.factories import OrganizationFactory, membership

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


def build_world() -> dict[str, Any]:
    """Two organisations, two events, registrations, a certified trainee, and the callers."""
    system = Principal.as_system()
    with time_machine.travel(NOW, tick=False):
        trainer = user_ensure(email="trainer@a.example", role="trainer")
        a = membership(tier="gold", start_date=date(2026, 10, 1))
        b = membership(tier="gold", start_date=date(2026, 10, 1))
        memberships.contact_add(
            actor=system, membership=a, email="coord@a.example", name="A", role="coordinator"
        )
        memberships.contact_add(
            actor=system, membership=b, email="coord@b.example", name="B", role="coordinator"
        )

        def event(day: str, **extra: Any) -> Any:
            return events.event_create(
                actor=system,
                title="Training",
                timezone="UTC",
                sessions=[LocalTimes(f"{day}T09:00", f"{day}T17:00")],
                capacity=10,
                min_enrolment=1,
                **extra,
            )

        future, later, other = event("2027-03-01"), event("2027-04-01"), event("2027-03-05")
        past = event("2027-01-05", trainer_ids=[trainer.pk], now=datetime(2026, 12, 1, tzinfo=UTC))
        other_trainer = user_ensure(email="trainer@b.example", role="trainer")
        events.event_update(actor=system, event=other, changes={"trainer_ids": [other_trainer.pk]})

        def register(event_obj: Any, member: Any, n: int, **kw: Any) -> Any:
            return registrations.registration_create(
                actor=system,
                event_id=event_obj.pk,
                code=member.registration_code,
                details=details(n),
                **kw,
            ).registration

        reg = register(future, a, 1)
        stranger = register(other, b, 2)
        at_past = register(past, a, 3, now=datetime(2026, 12, 5, tzinfo=UTC))
        certified = register(past, a, 4, now=datetime(2026, 12, 5, tzinfo=UTC))
        checkout.attendance_record(
            actor=system, event=past, records=[checkout.AttendanceRecord(certified.pk, 0)]
        )
        for requirement in ("welcome_session", "get_involved", "teaching_demo"):
            checkout.progress_record(
                actor=system, trainee=certified.trainee, requirement=requirement, state="passed"
            )
        # a second trainee with an open checkout, for progress and extensions
        in_progress = register(past, a, 5, now=datetime(2026, 12, 5, tzinfo=UTC))
        checkout.attendance_record(
            actor=system, event=past, records=[checkout.AttendanceRecord(in_progress.pk, 0)]
        )
    ids = {
        "O": OrganizationFactory().pk,
        "A": a.pk,
        "E": future.pk,
        "E2": later.pk,
        "P": past.pk,
        "R": reg.pk,
        "RP": at_past.pk,
        "T": in_progress.trainee_id,
        "RT": in_progress.pk,
        "C": certified.trainee.certificate.pk,
        "N": certified.trainee.certificate.number,
    }
    own = user_ensure(email="coord@a.example")
    credentials = {
        "anonymous": None,
        "coordinator": token_create(user=own),
        "manage_link": manage_token(in_progress.pk, in_progress.manage_nonce),
        "personal_link": trainee_token(in_progress.trainee_id, in_progress.trainee.link_nonce),
        "other_trainee": manage_token(stranger.pk, stranger.manage_nonce),
        "other_coordinator": token_create(user=user_ensure(email="coord@b.example")),
        "other_trainer": token_create(user=other_trainer),
        "staff": token_create(user=user_ensure(email="staff@x.example", role="staff")),
    }
    users = {
        "anonymous": None,
        "coordinator": own,
        "manage_link": None,
        "personal_link": None,
        "other_trainee": None,
        "other_coordinator": user_ensure(email="coord@b.example"),
        "other_trainer": other_trainer,
        "staff": user_ensure(email="staff@x.example", role="staff"),
    }
    return {"ids": ids, "credentials": credentials, "users": users}


def fill(value: Any, ids: dict[str, Any]) -> Any:
    text = json.dumps(value)
    for key in sorted(ids, key=len, reverse=True):
        text = text.replace(f'"{{{key}}}"', json.dumps(ids[key])).replace(
            f"{{{key}}}", str(ids[key])
        )
    return json.loads(text)
