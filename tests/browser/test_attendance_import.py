"""Staff upload a Zoom participant report, read the preview, match a stray row by hand, save,
and the roster shows what was recorded."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from lectern.accounts.services import user_ensure
from lectern.checkout.models import SessionAttendance
from lectern.core import clock
from lectern.core.permissions import Principal
from lectern.events import services as events
from lectern.events.services import LocalTimes
from lectern.registrations import services as registrations
from lectern.registrations.tests.conftest import details
from tests.factories import membership

pytestmark = pytest.mark.django_db(transaction=True)


def test_import_preview_match_and_save(page: Page, live_server: Any) -> None:
    now = clock.now()
    system = Principal.as_system()
    day = (now - timedelta(days=3)).date()
    event = events.event_create(
        actor=system,
        title="Report training",
        timezone="UTC",
        sessions=[LocalTimes(f"{day}T09:00", f"{day}T17:00")],
        capacity=10,
        min_enrolment=1,
        now=now - timedelta(days=40),
    )
    member = membership(tier="gold", start_date=(now - timedelta(days=60)).date())
    for n, name in enumerate(("Grace Hopper", "Alan Turing")):
        registrations.registration_create(
            actor=Principal.anonymous(),
            event_id=event.pk,
            code=member.registration_code,
            details=details(n, name=name),
            now=now - timedelta(days=30),
        )
    stamp = f"{day:%m/%d/%Y}"
    report = (
        "\ufeffName (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
        f"Grace Hopper,trainee0@uni.example,{stamp} 08:55:00 AM,{stamp} 05:00:00 PM,485,No\n"
        f"iPad de Alan,,{stamp} 09:30:00 AM,{stamp} 05:00:00 PM,450,Yes\n"
    )
    staff = user_ensure(email="staff@example.org", role="staff")
    staff.set_password("a-long-staff-password")
    staff.save()
    page.goto(f"/admin/login/?next=/events/{event.pk}/roster/import/")
    page.get_by_label("Email").fill("staff@example.org")
    page.get_by_label("Password").fill("a-long-staff-password")
    page.get_by_role("button", name="Log in").click()

    page.get_by_label("Participant report (CSV)").set_input_files(
        files=[{"name": "participants.csv", "mimeType": "text/csv", "buffer": report.encode()}]
    )
    page.get_by_role("button", name="Preview", exact=True).click()
    preview = page.locator("#import-preview")
    expect(preview.get_by_role("row", name="Grace Hopper")).to_contain_text("passed")
    expect(preview.get_by_role("row", name="Alan Turing")).to_contain_text("no-show")
    unmatched = page.locator("#unmatched")
    expect(unmatched).to_contain_text("iPad de Alan")
    assert SessionAttendance.objects.count() == 0  # a preview writes nothing

    page.get_by_label("Match line 3 to").select_option(label="Alan Turing")
    page.get_by_role("button", name="Preview with these matches").click()
    expect(preview.get_by_role("row", name="Alan Turing")).to_contain_text("30")
    expect(page.locator("#unmatched")).to_have_count(0)
    page.get_by_role("button", name="Save attendance").click()

    expect(page.get_by_text("Attendance saved from the report for 2 trainees.")).to_be_visible()
    expect(page.get_by_role("heading", name="Attendance: Report training")).to_be_visible()
    expect(page.get_by_label("Minutes Alan Turing missed of session 1")).to_have_value("30")
    expect(page.get_by_label("Minutes Grace Hopper missed of session 1")).to_have_value("0")
    assert sorted(SessionAttendance.objects.values_list("minutes_missed", flat=True)) == [0, 30]
