"""The permission matrix: every endpoint and page, for each kind of caller, from one table.

Callers: anonymous; a trainee holding the manage link of *another* registration; the
coordinator of *another* organisation; the trainer of *another* event; staff; the
organisation's own coordinator; the manage link of the registration of trainee {T} (it acts on
that registration only, never on the trainee's record); {T}'s personal link (their whole
record, nobody else's). Objects of another organisation or not visible answer 404; missing
credentials 401; a role that may never do the thing 403.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.test import Client

from tests.world import NOW, fill

ROLES = (
    "anonymous",
    "other_trainee",
    "other_coordinator",
    "other_trainer",
    "staff",
    "coordinator",
    "manage_link",
    "personal_link",
)


@dataclass(frozen=True)
class Case:
    method: str
    path: str
    expected: tuple[int, ...]  # in the order of ROLES
    body: dict[str, Any] | None = None
    page: bool = False


# {A}: a membership; {E}: its trainee's event; {R}: a registration; {T}: a trainee with a
# checkout; {C}: a certificate. The "other" callers belong to other organisations and events.
API = [
    Case("GET", "/health", (200, 200, 200, 200, 200, 200, 200, 200)),
    Case("GET", "/openapi.json", (200, 200, 200, 200, 200, 200, 200, 200)),
    Case(
        "POST",
        "/organizations",
        (401, 403, 403, 403, 201, 403, 403, 403),
        {"name": "X", "country": "GB"},
    ),
    Case(
        "POST",
        "/memberships",
        (401, 403, 403, 403, 201, 403, 403, 403),
        {"organization_id": "{O}", "tier": "gold", "start_date": "2027-01-01"},
    ),
    Case("GET", "/memberships/{A}", (401, 404, 404, 404, 200, 200, 404, 404)),
    Case("GET", "/memberships/{A}/ledger", (401, 404, 404, 404, 200, 200, 404, 404)),
    Case("GET", "/memberships/{A}/registrations", (401, 404, 404, 404, 200, 200, 404, 404)),
    Case(
        "POST",
        "/memberships/{A}/team",
        (401, 404, 404, 404, 201, 201, 404, 404),
        {"event_id": "{E2}", "people": [{"name": "New Person", "email": "new@x.example"}]},
    ),
    Case(
        "POST",
        "/memberships/{A}/contacts",
        (401, 404, 404, 404, 201, 403, 404, 404),
        {"email": "n@x.example", "name": "N", "role": "billing"},
    ),
    Case(
        "POST",
        "/memberships/{A}/seats",
        (401, 404, 404, 404, 201, 403, 404, 404),
        {"delta": 1, "reason": "r"},
    ),
    Case(
        "POST",
        "/memberships/{A}/rollover",
        (401, 404, 404, 404, 201, 403, 404, 404),
        {"seats": 1, "reason": "early renewal"},
    ),
    Case(
        "POST",
        "/events",
        (401, 403, 403, 403, 201, 403, 403, 403),
        {
            "title": "T",
            "timezone": "UTC",
            "capacity": 5,
            "min_enrolment": 1,
            "sessions": [{"start": "2027-05-01T09:00", "end": "2027-05-01T17:00"}],
        },
    ),
    Case("GET", "/events/{E}", (200, 200, 200, 200, 200, 200, 200, 200)),
    Case("PATCH", "/events/{E}", (401, 403, 403, 403, 200, 403, 403, 403), {"capacity": 12}),
    Case("POST", "/events/{E}/cancel", (401, 403, 403, 403, 200, 403, 403, 403), {"reason": "r"}),
    Case("GET", "/calendar", (200, 200, 200, 200, 200, 200, 200, 200)),
    Case("GET", "/calendar.ics", (200, 200, 200, 200, 200, 200, 200, 200)),
    Case("GET", "/registrations/{RT}", (401, 404, 404, 404, 200, 200, 200, 200)),
    Case("GET", "/registrations/{R}", (401, 404, 404, 404, 200, 200, 404, 404)),
    Case(
        "POST",
        "/registrations/{R}/move",
        (401, 404, 404, 404, 200, 200, 404, 404),
        {"event_id": "{E2}"},
    ),
    Case("POST", "/registrations/{R}/withdraw", (401, 404, 404, 404, 200, 200, 404, 404), {}),
    Case(
        "POST",
        "/registrations/{R}/emergency",
        (401, 404, 404, 404, 200, 403, 404, 404),
        {"reason": "r"},
    ),
    Case(
        "POST",
        "/events/{P}/attendance",
        (401, 404, 404, 404, 200, 404, 404, 404),
        {"records": [{"registration_id": "{RP}", "minutes_missed": 0}]},
    ),
    Case("GET", "/trainees/{T}", (401, 404, 404, 404, 200, 200, 404, 200)),
    Case(
        "POST",
        "/trainees/{T}/progress",
        (401, 404, 404, 404, 200, 403, 404, 403),
        {"requirement": "welcome_session", "state": "passed"},
    ),
    Case(
        "POST",
        "/trainees/{T}/extensions",
        (401, 404, 404, 404, 200, 403, 404, 403),
        {"reason": "r"},
    ),
    Case("GET", "/trainees/{T}/export", (401, 404, 404, 404, 200, 404, 404, 200)),
    Case("POST", "/trainees/{T}/erase", (401, 404, 404, 404, 200, 404, 404, 200), {}),
    Case("GET", "/certificates/{C}", (401, 404, 404, 404, 200, 200, 404, 404)),
    Case("GET", "/certificates/{C}/pdf", (401, 404, 404, 404, 200, 200, 404, 404)),
    Case(
        "POST",
        "/certificates/{C}/revoke",
        (401, 404, 404, 404, 200, 403, 404, 404),
        {"reason": "r"},
    ),
    Case("GET", "/verify/{N}", (200, 200, 200, 200, 200, 200, 200, 200)),
    Case("GET", "/instructors", (200, 200, 200, 200, 200, 200, 200, 200)),
    Case("GET", "/notifications", (401, 403, 403, 403, 200, 403, 403, 403)),
    Case("GET", "/events/{P}/registrations.csv", (401, 404, 404, 404, 200, 404, 404, 404)),
    Case("GET", "/memberships/{A}/trainees.csv", (401, 404, 404, 404, 200, 200, 404, 404)),
    Case("GET", "/exports/registrations.csv", (401, 403, 403, 403, 200, 403, 403, 403)),
    Case("GET", "/exports/checkout.csv", (401, 403, 403, 403, 200, 403, 403, 403)),
    Case(
        "GET",
        "/exports/certificates.csv?from=2027-01-01&to=2027-12-31",
        (401, 403, 403, 403, 200, 403, 403, 403),
    ),
]
PAGES = [
    Case("GET", "/", (200, 200, 200, 200, 200, 200, 200, 200), page=True),
    Case("GET", "/calendar/", (200, 200, 200, 200, 200, 200, 200, 200), page=True),
    Case("GET", "/events/{E}/", (200, 200, 200, 200, 200, 200, 200, 200), page=True),
    Case("GET", "/events/{E}/register/", (200, 200, 200, 200, 200, 200, 200, 200), page=True),
    Case("GET", "/memberships/{A}/", (302, 302, 404, 404, 200, 200, 302, 302), page=True),
    Case(
        "GET", "/memberships/{A}/trainees.csv", (302, 302, 404, 404, 200, 200, 302, 302), page=True
    ),
    Case("GET", "/memberships/{A}/team/", (302, 302, 404, 404, 200, 200, 302, 302), page=True),
    Case("GET", "/trainer/", (302, 302, 200, 200, 200, 200, 302, 302), page=True),
    Case("GET", "/events/{P}/roster/", (302, 302, 404, 404, 200, 404, 302, 302), page=True),
    Case("GET", "/review/", (302, 302, 404, 200, 200, 404, 302, 302), page=True),
    Case("GET", "/staff/dashboard/", (302, 302, 302, 302, 200, 302, 302, 302), page=True),
    Case("GET", "/staff/exports/", (302, 302, 302, 302, 200, 302, 302, 302), page=True),
    Case("GET", "/staff/checkout-sessions/", (302, 302, 404, 404, 200, 404, 302, 302), page=True),
    Case(
        "GET",
        "/staff/exports/events/{P}/registrations.csv",
        (302, 302, 302, 302, 200, 302, 302, 302),
        page=True,
    ),
    Case("GET", "/admin/", (302, 302, 302, 302, 200, 302, 302, 302), page=True),
    Case("GET", "/instructors/", (200, 200, 200, 200, 200, 200, 200, 200), page=True),
    Case("GET", "/verify/{N}/", (200, 200, 200, 200, 200, 200, 200, 200), page=True),
]


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
