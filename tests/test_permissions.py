"""The permission matrix: every endpoint and page, for each kind of caller, from one table.

Callers: anonymous; a trainee holding the manage link of *another* registration; the
coordinator of *another* organisation; the trainer of *another* event; staff. Objects of
another organisation or not visible answer 404; missing credentials 401; a role that may
never do the thing 403.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from lectern.accounts.services import token_create, user_ensure
from lectern.checkout import services as checkout
from lectern.core.permissions import Principal
from lectern.events import services as events
from lectern.events.services import LocalTimes
from lectern.memberships import services as memberships
from lectern.registrations import services as registrations
from lectern.registrations.tests.conftest import details
from lectern.registrations.tokens import manage_token
from tests.factories import OrganizationFactory, membership

NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
ROLES = ("anonymous", "other_trainee", "other_coordinator", "other_trainer", "staff")


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    expected: tuple[int, int, int, int, int]  # in the order of ROLES
    body: dict[str, Any] | None = None
    page: bool = False


# {A}: a membership; {E}: its trainee's event; {R}: a registration; {T}: a trainee with a
# checkout; {C}: a certificate. The "other" callers belong to other organisations and events.
API = [
    Case("GET", "/health", (200, 200, 200, 200, 200)),
    Case("GET", "/openapi.json", (200, 200, 200, 200, 200)),
    Case("POST", "/organizations", (401, 403, 403, 403, 201), {"name": "X", "country": "GB"}),
    Case(
        "POST",
        "/memberships",
        (401, 403, 403, 403, 201),
        {"organization_id": "{O}", "tier": "gold", "start_date": "2027-01-01"},
    ),
    Case("GET", "/memberships/{A}", (401, 404, 404, 404, 200)),
    Case("GET", "/memberships/{A}/ledger", (401, 404, 404, 404, 200)),
    Case("GET", "/memberships/{A}/registrations", (401, 404, 404, 404, 200)),
    Case(
        "POST",
        "/memberships/{A}/contacts",
        (401, 404, 404, 404, 201),
        {"email": "n@x.example", "name": "N", "role": "billing"},
    ),
    Case("POST", "/memberships/{A}/seats", (401, 404, 404, 404, 201), {"delta": 1, "reason": "r"}),
    Case("POST", "/memberships/{A}/rollover", (401, 404, 404, 404, 201), {"seats": 1}),
    Case(
        "POST",
        "/events",
        (401, 403, 403, 403, 201),
        {
            "title": "T",
            "timezone": "UTC",
            "capacity": 5,
            "min_enrolment": 1,
            "sessions": [{"start": "2027-05-01T09:00", "end": "2027-05-01T17:00"}],
        },
    ),
    Case("GET", "/events/{E}", (200, 200, 200, 200, 200)),
    Case("PATCH", "/events/{E}", (401, 403, 403, 403, 200), {"capacity": 12}),
    Case("POST", "/events/{E}/cancel", (401, 403, 403, 403, 200), {"reason": "r"}),
    Case("GET", "/calendar", (200, 200, 200, 200, 200)),
    Case("GET", "/calendar.ics", (200, 200, 200, 200, 200)),
    Case("GET", "/registrations/{R}", (401, 404, 404, 404, 200)),
    Case("POST", "/registrations/{R}/move", (401, 404, 404, 404, 200), {"event_id": "{E2}"}),
    Case("POST", "/registrations/{R}/withdraw", (401, 404, 404, 404, 200), {}),
    Case("POST", "/registrations/{R}/emergency", (401, 404, 404, 404, 200), {"reason": "r"}),
    Case(
        "POST",
        "/events/{P}/attendance",
        (401, 404, 404, 404, 200),
        {"records": [{"registration_id": "{RP}", "minutes_missed": 0}]},
    ),
    Case("GET", "/trainees/{T}", (401, 404, 404, 404, 200)),
    Case(
        "POST",
        "/trainees/{T}/progress",
        (401, 404, 404, 404, 200),
        {"requirement": "welcome_session", "state": "passed"},
    ),
    Case("POST", "/trainees/{T}/extensions", (401, 404, 404, 404, 200), {"reason": "r"}),
    Case("GET", "/trainees/{T}/export", (401, 404, 404, 404, 200)),
    Case("POST", "/trainees/{T}/erase", (401, 404, 404, 404, 200), {}),
    Case("GET", "/certificates/{C}", (401, 404, 404, 404, 200)),
    Case("GET", "/certificates/{C}/pdf", (401, 404, 404, 404, 200)),
    Case("POST", "/certificates/{C}/revoke", (401, 404, 404, 404, 200), {"reason": "r"}),
    Case("GET", "/verify/{N}", (200, 200, 200, 200, 200)),
    Case("GET", "/instructors", (200, 200, 200, 200, 200)),
    Case("GET", "/notifications", (401, 403, 403, 403, 200)),
]
PAGES = [
    Case("GET", "/", (200, 200, 200, 200, 200), page=True),
    Case("GET", "/calendar/", (200, 200, 200, 200, 200), page=True),
    Case("GET", "/events/{E}/", (200, 200, 200, 200, 200), page=True),
    Case("GET", "/events/{E}/register/", (200, 200, 200, 200, 200), page=True),
    Case("GET", "/memberships/{A}/", (302, 302, 404, 404, 200), page=True),
    Case("GET", "/memberships/{A}/trainees.csv", (302, 302, 404, 404, 200), page=True),
    Case("GET", "/trainer/", (302, 302, 200, 200, 200), page=True),
    Case("GET", "/events/{P}/roster/", (302, 302, 404, 404, 200), page=True),
    Case("GET", "/review/", (302, 302, 404, 200, 200), page=True),
    Case("GET", "/staff/dashboard/", (302, 302, 302, 302, 200), page=True),
    Case("GET", "/admin/", (302, 302, 302, 302, 200), page=True),
    Case("GET", "/instructors/", (200, 200, 200, 200, 200), page=True),
    Case("GET", "/verify/{N}/", (200, 200, 200, 200, 200), page=True),
]


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
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
        "C": certified.trainee.certificate.pk,
        "N": certified.trainee.certificate.number,
    }
    credentials = {
        "anonymous": None,
        "other_trainee": manage_token(stranger.pk, stranger.manage_nonce),
        "other_coordinator": token_create(user=user_ensure(email="coord@b.example")),
        "other_trainer": token_create(user=other_trainer),
        "staff": token_create(user=user_ensure(email="staff@x.example", role="staff")),
    }
    users = {
        "anonymous": None,
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


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", API + PAGES, ids=lambda c: f"{c.method} {c.path}")
def test_permission_matrix(world: dict[str, Any], case: Case, role: str) -> None:
    ids = world["ids"]
    path = fill(case.path, ids)
    client = Client()
    headers = {}
    body = json.dumps(fill(case.body, ids)) if case.body is not None else None
    with time_machine.travel(NOW, tick=False):
        if case.page and world["users"][role] is not None:
            client.force_login(world["users"][role])
        if not case.page:
            path = f"/api/v1{path}"
            if world["credentials"][role]:
                headers["Authorization"] = f"Bearer {world['credentials'][role]}"
        if case.method == "GET":
            response = client.get(path, headers=headers)
        else:
            response = client.generic(
                case.method, path, body or "", content_type="application/json", headers=headers
            )
    expected = case.expected[ROLES.index(role)]
    assert response.status_code == expected, (role, path, response.content[:300])
    if not case.page and response.status_code >= 400:
        assert set(response.json()) == {"error"}
