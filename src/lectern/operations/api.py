"""Readiness for load balancers; the metrics token for Prometheus (the `/metrics` route is
in `lectern.api`, beside the bearer authentication it falls back to)."""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.security import HttpBearer

from lectern.core import clock
from lectern.core.permissions import Principal
from lectern.operations.readiness import readiness

router = Router(tags=["service"])


class ReadyOut(Schema):
    status: str
    checks: dict[str, Any]


@router.get("/ready", response={200: ReadyOut, 503: ReadyOut}, auth=None)
def ready(request: HttpRequest) -> Any:
    """200 when the database answers and every migration is applied, else 503 naming what
    failed. `outbox` and `scheduler` are reported for alerts and never change the status."""
    ok, checks = readiness(now=clock.now())
    return Status(200 if ok else 503, {"status": "ready" if ok else "not_ready", "checks": checks})


class MetricsTokenAuth(HttpBearer):
    """`Authorization: Bearer $LECTERN_METRICS_TOKEN` acts as the system for `/metrics`;
    any other header is left to the next authentication (staff tokens)."""

    def authenticate(self, request: HttpRequest, token: str) -> Principal | None:
        expected = settings.METRICS_TOKEN
        if expected and hmac.compare_digest(token.encode(), expected.encode()):
            return Principal.as_system()
        return None
