"""A trainee submits Get Involved, staff pass the last step, the trainee downloads the
certificate."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pypdf
import pytest
from playwright.sync_api import Browser, Page, expect

from lectern.accounts.services import user_ensure
from lectern.checkout import services as checkout
from lectern.core.permissions import Principal
from lectern.registrations.tokens import trainee_token
from tests.browser.conftest import passed_the_training

pytestmark = pytest.mark.django_db(transaction=True)


def test_submit_get_involved_staff_pass_download_certificate(
    page: Page, browser: Browser, live_server: Any
) -> None:
    system = Principal.as_system()
    registration = passed_the_training()
    day = registration.event.first_local_date
    for requirement in ("welcome_session", "teaching_demo"):
        checkout.progress_record(
            actor=system, trainee=registration.trainee, requirement=requirement, state="passed"
        )

    trainee = registration.trainee
    page.goto(f"/me/{trainee_token(trainee.pk, trainee.link_nonce)}/")
    page.get_by_label("Step", exact=True).select_option("get_involved")
    page.get_by_label("Get Involved activity").select_option("served")
    page.get_by_label("Date", exact=True).fill(f"{day}")
    page.get_by_label("Link (workshop page or GitHub repository)").fill(
        "https://uni.example/workshops/2026-11"
    )
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted. Programme staff will review it.")).to_be_visible()

    staff = user_ensure(email="staff@example.org", role="staff")
    staff.set_password("a-long-staff-password")
    staff.save()
    staff_context = browser.new_context(base_url=live_server.url)
    staff_page = staff_context.new_page()
    staff_page.goto("/admin/login/?next=/review/")
    staff_page.get_by_label("Email").fill("staff@example.org")
    staff_page.get_by_label("Password").fill("a-long-staff-password")
    staff_page.get_by_role("button", name="Log in").click()
    card = staff_page.get_by_role("article", name="Grace Hopper: Get involved")
    expect(card).to_contain_text("https://uni.example/workshops/2026-11")
    card.get_by_role("button", name="Pass").click()
    expect(staff_page.get_by_text("Nothing is waiting for review.")).to_be_visible()
    staff_context.close()

    page.reload()
    expect(page.get_by_text("You are a certified instructor")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download your certificate (PDF)").click()
    pdf = Path(download.value.path()).read_bytes()
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    assert "Grace Hopper" in text.extract_text()
