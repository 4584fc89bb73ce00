"""A trainee signs up for a teaching demo from their personal page; once it has started,
the host signs in, records the result from the trainer page, and the step shows passed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from playwright.sync_api import Browser, Page, expect

from lectern.accounts.services import login_link_create, user_ensure
from lectern.checkout_sessions.services import checkout_session_create
from lectern.core import clock
from lectern.core.permissions import Principal
from lectern.registrations.tokens import trainee_token
from tests.browser.conftest import passed_the_training

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_up_for_a_demo_and_the_host_records_its_result(
    page: Page, browser: Browser, live_server: Any
) -> None:
    now = clock.now()
    system = Principal.as_system()
    registration = passed_the_training()
    host = user_ensure(email="host@trainers.example", role="trainer", name="Hana Host")
    demo_day = (now + timedelta(days=3)).date()
    demo = checkout_session_create(
        actor=system,
        kind="teaching_demo",
        host=host,
        timezone="America/New_York",
        start=f"{demo_day}T10:00",
        end=f"{demo_day}T11:00",
        capacity=3,
        meeting_url="https://meet.example/demo-room",
    )

    trainee = registration.trainee
    personal = f"/me/{trainee_token(trainee.pk, trainee.link_nonce)}/"
    page.goto(personal)
    expect(page.get_by_text("https://meet.example/demo-room")).to_have_count(0)
    page.get_by_role("button", name="Sign up for Teaching demo").click()
    expect(page.get_by_text("You are signed up: Teaching demo.")).to_be_visible()
    expect(page.get_by_role("link", name="https://meet.example/demo-room")).to_be_visible()

    with time_machine.travel(demo.start + timedelta(minutes=5), tick=True):
        host_context = browser.new_context(base_url=live_server.url)
        host_page = host_context.new_page()
        host_page.goto(urlsplit(login_link_create(user=host)).path)
        host_page.get_by_role("button", name="Sign in").click()
        host_page.goto("/trainer/")
        expect(host_page.get_by_text("Session results to record")).to_be_visible()
        host_page.get_by_role("link", name="Teaching demo").first.click()
        host_page.get_by_label("Result for Grace Hopper").select_option("passed")
        host_page.get_by_role("button", name="Save results").click()
        expect(host_page.get_by_text("Results recorded for 1 trainee.")).to_be_visible()
        host_context.close()

        page.goto(personal)
        expect(page.locator("td.step-teaching_demo")).to_have_text("Passed")
        expect(page.locator("#sessions-teaching_demo")).to_contain_text(": passed.")
