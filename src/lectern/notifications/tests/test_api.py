from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from lectern.memberships import services
from tests.factories import membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def messages(staff):
    for n, email in enumerate(["a@uni.example", "b@uni.example"]):
        services.contact_add(
            actor=staff, membership=membership(), email=email, name=f"P{n}", role="coordinator"
        )


def test_staff_list_and_filter_notifications(staff_api, messages) -> None:
    listing = staff_api.get("/notifications").json()
    assert listing["count"] == 2
    item = listing["items"][0]
    assert set(item) >= {"id", "kind", "to", "subject", "status", "due_at", "sent_at", "attempts"}
    assert item["status"] == "pending"
    only = staff_api.get("/notifications", email="A@uni.example").json()
    assert [i["to"] for i in only["items"]] == ["a@uni.example"]
    assert staff_api.get("/notifications", kind="certified").json()["count"] == 0
    assert staff_api.get("/notifications", status="sent").json()["count"] == 0
    bad = staff_api.get("/notifications", status="lost")
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "validation_error")
    detail = staff_api.get(f"/notifications/{item['id']}").json()
    assert "registration code" in detail["body_text"]


def test_only_staff_see_notifications(api_as, anon_api, messages) -> None:
    assert anon_api.get("/notifications").status_code == 401
    assert api_as("a@uni.example").get("/notifications").status_code == 403


def test_tick_command_prints_a_summary(messages, time_machine) -> None:
    time_machine.move_to(datetime(2027, 1, 1, tzinfo=UTC))
    out = StringIO()
    call_command("tick", stdout=out)
    ran = out.getvalue().splitlines()[0].removeprefix("rules: ").split(", ")
    assert [r.split(": ")[0] for r in ran] == [  # each app's, in INSTALLED_APPS order
        "coordinator_checkins",
        "low_enrolment_cancellation",
        "preparation_emails",
        "team_details_reminders",
        "team_details_release",
        "waitlist_offer_expiry",
        "social_event_suggestion",
        "housekeeping",
        "checkout_reminders",
        "checkout_expiry",
        "attendance_due",
        "attendance_closing",
        "checkout_session_reminders",
        "trainee_retention",
        "email_body_retention",
    ]
    assert "coordinator_checkins: 0" in out.getvalue()
    assert "mail: 2 sent" in out.getvalue()
    out = StringIO()
    call_command("tick", stdout=out)
    assert "mail: 0 sent" in out.getvalue()
