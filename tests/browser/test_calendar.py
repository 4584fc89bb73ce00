"""A visitor finds an event on the calendar with its local times and opens its page."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from lectern.core import clock
from lectern.core.permissions import Principal
from lectern.events import services
from lectern.events.services import LocalTimes

pytestmark = pytest.mark.django_db(transaction=True)


def test_calendar_shows_local_times_and_leads_to_the_event(page: Page) -> None:
    day = (clock.now() + timedelta(days=30)).date()
    event = services.event_create(
        actor=Principal.as_system(),
        title="Harbour Instructor Training",
        timezone="Asia/Kolkata",
        sessions=[
            LocalTimes(f"{day}T09:00", f"{day}T17:00"),
            LocalTimes(f"{day + timedelta(days=1)}T09:00", f"{day + timedelta(days=1)}T17:00"),
        ],
        capacity=20,
        min_enrolment=5,
    )
    page.goto("/")
    page.get_by_role("link", name="Training calendar", exact=True).click()
    card = page.get_by_role("article", name="Harbour Instructor Training")
    expect(card).to_contain_text("09:00\u201317:00 IST (UTC+05:30)")
    # The browser runs in Europe/Berlin: 09:00 in Kolkata is 04:30 or 05:30 there.
    expect(card.locator("time[data-viewer]").first).to_contain_text(":30")
    expect(card.get_by_text("(Europe/Berlin)")).to_be_visible()
    expect(card).to_contain_text("20 seats left")
    card.get_by_role("link", name="Harbour Instructor Training", exact=True).click()
    expect(page).to_have_url(f"{page.url.split('/events/')[0]}/events/{event.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Harbour Instructor Training")
    expect(page.get_by_text("Registration closes 7 days before the event")).to_be_visible()
