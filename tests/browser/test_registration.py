"""A trainee registers from the calendar, fixes a wrong code, gets the manage link by
email (the file backend) and withdraws."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from lectern.core import clock
from lectern.core.permissions import Principal
from lectern.events import services
from lectern.events.services import LocalTimes
from lectern.notifications.sender import send_due
from tests.factories import membership

pytestmark = pytest.mark.django_db(transaction=True)


def test_register_fix_the_code_get_the_link_and_withdraw(
    page: Page, settings: Any, tmp_path: Path
) -> None:
    settings.EMAIL_BACKEND = "lectern.core.mailfiles.EmlFileBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    day = (clock.now() + timedelta(days=40)).date()
    services.event_create(
        actor=Principal.as_system(),
        title="Harbour Instructor Training",
        timezone="Europe/Berlin",
        sessions=[LocalTimes(f"{day}T09:00", f"{day}T17:00")],
        capacity=20,
        min_enrolment=5,
    )
    member = membership(tier="gold", start_date=clock.now().date() - timedelta(days=30))

    page.goto("/calendar/")
    card = page.get_by_role("article", name="Harbour Instructor Training")
    card.get_by_role("link", name=re.compile("^Register for Harbour")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Register for Harbour")

    page.get_by_label("Registration code").fill("WRONG-CODE-1")
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Email address").fill("ada@harbour.example")
    page.get_by_label("Affiliation").fill("Harbour University")
    page.get_by_label("Country").select_option("NZ")
    page.get_by_label("Python").check()
    page.get_by_label("Weekly").check()
    page.get_by_label("Helper at a workshop").check()
    page.get_by_label("I agree to follow the code of conduct").check()
    page.get_by_label("I agree to the privacy policy").check()
    page.get_by_role("button", name="Register").click()

    # The error at its field, and in the summary that takes focus and links to the field
    expect(page.locator("#id_code_error")).to_contain_text("This registration code is not valid")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name=re.compile("^Registration code:"))).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_value("Ada Lovelace")
    expect(page.get_by_label("Python")).to_be_checked()
    page.get_by_label("Registration code").fill(member.registration_code.lower())
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("You are registered")).to_be_visible()

    assert send_due().sent == 1
    [mail_file] = list(tmp_path.iterdir())
    link = re.search(r"http://\S+?(/manage/lr_\S+?/)", mail_file.read_text())
    assert link, mail_file.read_text()
    page.goto(link.group(1))
    expect(page.locator(".status")).to_have_text("Confirmed")
    page.get_by_role("link", name="Withdraw from this event").click()
    expect(page.get_by_text("will be released")).to_be_visible()
    page.get_by_role("button", name="Withdraw and release the seat").click()
    expect(page.locator(".status")).to_have_text("Withdrawn")
