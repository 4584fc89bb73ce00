"""Browser tests: Playwright driving Debian's chromium (/usr/bin/chromium), headless."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from lectern.checkout import services as checkout
from lectern.core import clock
from lectern.core.permissions import Principal
from lectern.events import services as events
from lectern.events.services import LocalTimes
from lectern.registrations import services as registrations
from lectern.registrations.tests.conftest import details
from tests.factories import membership

CHROMIUM = os.environ.get("LECTERN_CHROMIUM", "/usr/bin/chromium")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser: Browser, live_server: Any) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, timezone_id="Europe/Berlin")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def passed_the_training(name: str = "Grace Hopper") -> Any:
    """A registration whose trainee passed a training that ended five days ago (so their
    checkout is open), for the checkout journeys."""
    now = clock.now()
    system = Principal.as_system()
    day = (now - timedelta(days=5)).date()
    event = events.event_create(
        actor=system,
        title="Autumn training",
        timezone="Europe/Berlin",
        sessions=[LocalTimes(f"{day}T09:00", f"{day}T17:00")],
        capacity=10,
        min_enrolment=1,
        now=now - timedelta(days=40),
    )
    member = membership(tier="gold", start_date=(now - timedelta(days=60)).date())
    registration = registrations.registration_create(
        actor=Principal.anonymous(),
        event_id=event.pk,
        code=member.registration_code,
        details=details(0, name=name),
        now=now - timedelta(days=30),
    ).registration
    checkout.attendance_record(
        actor=system, event=event, records=[checkout.AttendanceRecord(registration.pk, 0)]
    )
    return registration
