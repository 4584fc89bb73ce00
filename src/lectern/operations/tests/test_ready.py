"""GET /api/v1/ready: the database and the migrations decide; the outbox and the
scheduler are reported and never decide."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from lectern.core.heartbeat import TICK, heartbeat_record
from lectern.notifications.models import Message, MessageStatus
from lectern.notifications.scheduler import tick
from lectern.operations.tests.conftest import NOW

pytestmark = pytest.mark.django_db


def test_a_fresh_start_before_the_first_tick_is_ready(anon_api, frozen) -> None:
    response = anon_api.get("/ready")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["migrations"] == {"ok": True}
    assert body["checks"]["scheduler"]["last_run_at"] is None
    assert body["checks"]["scheduler"]["silent"] is False
    assert body["checks"]["outbox"]["due"] == 0


def test_an_unapplied_migration_is_503_naming_it(anon_api, frozen) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM django_migrations WHERE app = 'core' AND name = '0003_heartbeat'"
        )
    response = anon_api.get("/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not_ready"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["migrations"]["ok"] is False
    assert body["checks"]["migrations"]["unapplied"] == ["core.0003_heartbeat"]


def test_a_mail_backlog_and_a_silent_scheduler_are_reported_but_stay_ready(
    anon_api, frozen, register
) -> None:
    assert register(1).status_code == 201  # queues the confirmation, due now
    tick(now=NOW - timedelta(hours=2), send=False)
    frozen.shift(timedelta(hours=1))
    body = anon_api.get("/ready").json()
    assert anon_api.get("/ready").status_code == 200
    assert body["checks"]["outbox"]["due"] == 1
    assert body["checks"]["outbox"]["oldest_due_age_seconds"] == 3600.0
    assert body["checks"]["outbox"]["backing_up"] is True
    assert body["checks"]["scheduler"]["seconds_since_last_run"] == 3 * 3600.0
    assert body["checks"]["scheduler"]["silent"] is True


def test_the_scheduler_is_silent_after_ten_minutes_not_before(anon_api, frozen) -> None:
    heartbeat_record(name=TICK, at=NOW - timedelta(minutes=10), seconds=0.5)
    assert anon_api.get("/ready").json()["checks"]["scheduler"]["silent"] is False
    frozen.shift(timedelta(seconds=1))
    assert anon_api.get("/ready").json()["checks"]["scheduler"]["silent"] is True


def test_the_outbox_backs_up_after_fifteen_minutes_not_before(anon_api, frozen, register) -> None:
    register(1)
    message = Message.objects.get(status=MessageStatus.PENDING)
    Message.objects.filter(pk=message.pk).update(due_at=NOW - timedelta(minutes=15))
    assert anon_api.get("/ready").json()["checks"]["outbox"]["backing_up"] is False
    frozen.shift(timedelta(seconds=1))
    assert anon_api.get("/ready").json()["checks"]["outbox"]["backing_up"] is True


def test_health_stays_liveness_only(anon_api) -> None:
    assert anon_api.get("/health").json() == {"status": "ok"}
