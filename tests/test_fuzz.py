"""Fuzzing the API from its own OpenAPI document (schemathesis), anonymous and as staff:
no 5xx, and every 4xx in the error shape of API.md."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from lectern.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@schemathesis.check
def error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every refusal is {"error": {"code", "message", "fields"?}}."""
    if 400 <= response.status_code < 500:
        body = response.json()
        assert set(body) == {"error"}, body
        assert {"code", "message"} <= set(body["error"]), body
    return None


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Any:
    """Requests made through WSGI must not close the test's database connection (Django's
    test client disconnects the same handlers)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


FUZZ = settings(
    max_examples=6, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_api_anonymous(case: Any) -> None:
    case.call_and_validate(excluded_checks=_noisy())


@pytest.mark.django_db
@schema.parametrize()
@FUZZ
def test_api_as_staff(case: Any) -> None:
    from lectern.accounts.services import token_create, user_ensure

    token = token_create(user=user_ensure(email="fuzz@staff.example", role="staff"))
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=_noisy())


def _noisy() -> list[Any]:
    """Checks about the schema's completeness rather than about failures."""
    from schemathesis.checks import CHECKS

    keep = {"not_a_server_error", "error_shape"}
    return [check for check in CHECKS.get_all() if check.__name__ not in keep]
