"""GET /api/v1/metrics: who may read it, and that the figures move with what happens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from lectern.core.heartbeat import TICK, heartbeat_record
from lectern.notifications.models import Message, MessageStatus
from lectern.operations.tests.conftest import NOW

pytestmark = pytest.mark.django_db


def samples(response) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain")
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found, name: str, **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def test_anonymous_and_non_staff_callers_are_refused(anon_api, api_as, settings) -> None:
    settings.METRICS_TOKEN = "m" * 32
    assert anon_api.get("/metrics").status_code == 401
    trainer = api_as("trainer@uni.example", "trainer")
    assert trainer.get("/metrics").status_code == 403
    wrong = anon_api.client.get("/api/v1/metrics", headers={"Authorization": "Bearer " + "n" * 32})
    assert wrong.status_code == 401


def test_the_metrics_token_reads_them(anon_api, settings, frozen) -> None:
    settings.METRICS_TOKEN = "m" * 32
    response = anon_api.client.get(
        "/api/v1/metrics", headers={"Authorization": "Bearer " + "m" * 32}
    )
    assert "lectern_outbox_messages" in samples(response).__repr__()


def test_no_metrics_token_set_lets_no_empty_token_in(anon_api, settings) -> None:
    settings.METRICS_TOKEN = ""
    response = anon_api.client.get("/api/v1/metrics", headers={"Authorization": "Bearer "})
    assert response.status_code == 401


def test_a_registration_moves_the_registration_counter(staff_api, register, frozen) -> None:
    before = samples(staff_api.get("/metrics"))
    assert register(1).status_code == 201
    after = samples(staff_api.get("/metrics"))
    assert value(after, "lectern_registrations_total") == (
        value(before, "lectern_registrations_total") + 1
    )
    assert value(after, "lectern_registrations_by_status", status="confirmed") == 1
    assert value(after, "lectern_seats", state="reserved") == (
        value(before, "lectern_seats", state="reserved") + 1
    )
    assert value(after, "lectern_seats", state="granted") == 5
    assert value(after, "lectern_seats", state="available") == 4
    route = "/api/v1/registrations"
    assert (
        value(after, "lectern_http_requests_total", method="POST", route=route, status="201")
        == value(before, "lectern_http_requests_total", method="POST", route=route, status="201")
        + 1
    )
    assert (
        value(after, "lectern_http_request_duration_seconds_count", method="POST", route=route) >= 1
    )


def test_refusals_are_counted_by_code(staff_api, register, frozen) -> None:
    def refused(found: dict, code: str) -> float:
        return value(found, "lectern_refusals_total", code=code, route="/api/v1/registrations")

    before = samples(staff_api.get("/metrics"))
    register(1)
    assert register(1).status_code == 409
    assert register(2, code="NOSUCHCODE99").status_code == 404
    assert register(3, email="not an address").status_code == 422
    after = samples(staff_api.get("/metrics"))
    assert refused(after, "already_registered") == refused(before, "already_registered") + 1
    assert refused(after, "unknown_code") == refused(before, "unknown_code") + 1
    assert refused(after, "validation_error") == refused(before, "validation_error") + 1


def test_routes_are_patterns_never_paths_with_personal_data(staff_api) -> None:
    staff_api.get("/notifications", email="ada@uni.example")
    staff_api.get("/notifications/999999")
    text = staff_api.get("/metrics").content.decode()
    assert 'route="/api/v1/notifications/<notification_id>"' in text
    assert "ada@" not in text
    # In the labels: a sample's value (a sum of seconds, 0.0999999...) may hold the digits.
    labels = {
        value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        for value in sample.labels.values()
    }
    assert not [value for value in labels if "999999" in value]


def test_the_outbox_emails_and_the_tick(staff_api, register, frozen) -> None:
    found = samples(staff_api.get("/metrics"))
    assert ("lectern_tick_last_run_timestamp_seconds", ()) not in found  # never ran: absent
    register(1)
    register(2)
    first, second = Message.objects.order_by("id")
    Message.objects.filter(pk=first.pk).update(due_at=NOW - timedelta(minutes=30))
    Message.objects.filter(pk=second.pk).update(status=MessageStatus.FAILED)
    heartbeat_record(name=TICK, at=NOW - timedelta(minutes=2), seconds=1.25)
    found = samples(staff_api.get("/metrics"))
    assert value(found, "lectern_outbox_messages", status="pending") == 1
    assert value(found, "lectern_outbox_messages", status="failed") == 1
    assert value(found, "lectern_outbox_due_messages") == 1
    assert value(found, "lectern_outbox_oldest_due_age_seconds") == 1800.0
    assert value(found, "lectern_emails_failed_total") == 1
    assert value(found, "lectern_emails_sent_total") == 0
    assert value(found, "lectern_tick_duration_seconds") == 1.25
    last = value(found, "lectern_tick_last_run_timestamp_seconds")
    assert last == (NOW - timedelta(minutes=2)).timestamp()


def test_every_metric_name_starts_with_lectern_or_is_the_librarys_own(staff_api) -> None:
    text = staff_api.get("/metrics").content.decode()
    names = {family.name for family in text_string_to_metric_families(text)}
    assert "_created" not in text  # the library's creation-time series are switched off
    ours = {n for n in names if n.startswith("lectern_")}
    assert {
        "lectern_registrations",
        "lectern_outbox_messages",
        "lectern_emails_sent",
        "lectern_seats",
        "lectern_http_requests",
        "lectern_refusals",
    } <= ours
    assert all(n.startswith(("lectern_", "python_", "process_")) for n in names), names
