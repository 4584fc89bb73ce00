"""Staff put a teaching demo on the calendar from the sessions page; a trainee signs up for
it from their personal page; once it has started, the host signs in, records the result from
the trainer page, and the step shows passed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from playwright.sync_api import Browser, Page, expect

from lectern.accounts.services import login_link_create, user_ensure
from lectern.checkout_sessions.models import CheckoutSession
from lectern.core import clock
from lectern.registrations.tokens import trainee_token
from tests.browser.conftest import passed_the_training

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_up_for_a_demo_and_the_host_records_its_result(
    page: Page, browser: Browser, live_server: Any
) -> None:
    now = clock.now()
    registration = passed_the_training()
    host = user_ensure(email="host@trainers.example", role="trainer", name="Hana Host")
    staff = user_ensure(email="staff@example.org", role="staff", name="Sam Staff")
    demo_day = (now + timedelta(days=3)).date()

    staff_context = browser.new_context(base_url=live_server.url)
    staff_page = staff_context.new_page()
    staff_page.goto(urlsplit(login_link_create(user=staff)).path)
    staff_page.get_by_role("button", name="Sign in").click()
    staff_page.wait_for_url("**/admin/")  # where staff land
    staff_page.goto("/staff/dashboard/")
    staff_page.get_by_role("link", name="Sessions", exact=True).click()
    staff_page.get_by_label("Kind").select_option("teaching_demo")
    staff_page.get_by_label("Host").select_option(label="Hana Host <host@trainers.example>")
    staff_page.get_by_label("Time zone").fill("America/New_York")
    staff_page.get_by_label("Start", exact=True).fill(f"{demo_day}T10:00")
    staff_page.get_by_label("End", exact=True).fill(
        f"{demo_day}T09:00"
    )  # before the start: refused
    staff_page.get_by_label("Capacity").fill("3")
    staff_page.get_by_label("Meeting link").fill("https://meet.example/demo-room")
    staff_page.get_by_role("button", name="Create the session").click()
    expect(staff_page.locator("#error-summary")).to_be_focused()
    expect(staff_page.locator("#id_end_error")).to_have_text("A session must end after it starts.")
    staff_page.get_by_label("End", exact=True).fill(f"{demo_day}T11:00")
    staff_page.get_by_role("button", name="Create the session").click()
    expect(staff_page.get_by_text("Teaching demo created, 3 places.")).to_be_visible()
    staff_context.close()
    demo = CheckoutSession.objects.get()

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
