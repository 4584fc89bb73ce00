"""Fuzzing the API from its own OpenAPI document (schemathesis), anonymous and as staff:
no 5xx, and every 4xx in the API's error shape. Once in process (WSGI, against the test
database), once over HTTP against `lectern serve` running on the demo data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from lectern.wsgi import application
from tests import fuzz_checks  # noqa: F401 - registers the error_shape check
from tests.live import env_for, serving

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
ROOT = Path(__file__).resolve().parent.parent


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


@pytest.mark.slow  # fuzzes a running lectern serve
@pytest.mark.django_db(transaction=True, reset_sequences=True)
def test_running_server(tmp_path: Path) -> None:
    """`schemathesis run` over HTTP against `lectern serve` on the demo data, every operation
    of its document, anonymous and as staff. Generation is deterministic and the sequences
    start again, so that the ids it meets, and so each run, are the same."""
    from django.core.management import call_command

    from lectern.accounts.services import token_create, user_ensure

    call_command("demo", "--if-empty")
    token = token_create(user=user_ensure(email="fuzz@staff.example", role="staff"))
    env = env_for(tmp_path, EMAIL_URL="console:")
    hooks = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.fuzz_checks", "PYTHONPATH": str(ROOT)}
    with serving(env, "--no-worker", "--no-migrate", "--workers", "2") as server:
        for caller in ([], ["-H", f"Authorization: Bearer {token}"]):
            command = [
                *(sys.executable, "-m", "schemathesis.cli", "run"),
                *(f"{server.url}/api/v1/openapi.json", "--max-examples", "6", "--seed", "1"),
                *("--checks", "not_a_server_error,error_shape", "--generation-deterministic"),
                *("--no-color", *caller),
            ]
            result = subprocess.run(
                command, env=hooks, cwd=ROOT, capture_output=True, text=True, timeout=600
            )
            server_log = (tmp_path / "server.log").read_text(errors="replace")
            tracebacks = server_log[server_log.find("Traceback") :][:4000]
            assert result.returncode == 0, (
                result.stdout[-6000:] + result.stderr[-2000:] + "\nserver:\n" + tracebacks
            )


def _noisy() -> list[Any]:
    """Checks about the schema's completeness rather than about failures."""
    from schemathesis.checks import CHECKS

    keep = {"not_a_server_error", "error_shape"}
    return [check for check in CHECKS.get_all() if check.__name__ not in keep]
