"""Calendar, event and trainer pages."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client

from lectern.accounts.services import user_ensure
from lectern.events import services
from lectern.events.services import LocalTimes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime(2027, 1, 15, 12, 0, tzinfo=UTC), tick=False):
        yield


def event(staff, day: str, timezone: str = "America/New_York", **extra):
    return services.event_create(
        actor=staff,
        title=extra.pop("title", "Instructor Training"),
        timezone=timezone,
        sessions=[LocalTimes(f"{day}T09:00", f"{day}T17:00")],
        capacity=extra.pop("capacity", 2),
        min_enrolment=1,
        **extra,
    )


def test_calendar_page_shows_both_zones_and_availability(client: Client, staff) -> None:
    open_event = event(staff, "2027-02-10", title="Winter training")
    closed = event(staff, "2027-01-20", title="Soon training")
    full = event(staff, "2027-03-01", title="Popular training")
    type(full).objects.filter(pk=full.pk).update(places_taken=2)
    page = client.get("/calendar/").content.decode()
    assert "January to March 2027" in page
    assert "April to June 2027" in page
    assert "09:00\u201317:00 EST" in page
    assert "(UTC\u221205:00)" in page
    assert 'datetime="2027-02-10T14:00:00+00:00"' in page
    assert "14:00\u201322:00 UTC" in page  # the viewer's time without JavaScript
    winter = page.split(f'id="event-{open_event.pk}"')[1].split("</article>")[0]
    assert "2 seats left" in winter
    assert "Register" in winter
    soon = page.split(f'id="event-{closed.pk}"')[1].split("</article>")[0]
    assert "Registration closed" in soon
    assert "Register</a>" not in soon
    popular = page.split(f'id="event-{full.pk}"')[1].split("</article>")[0]
    assert "Full" in popular


def test_bad_quarter_on_the_page_is_explained(client: Client, db) -> None:
    response = client.get("/calendar/?quarter=next-year")
    assert response.status_code == 400
    assert "is not a quarter like 2027-Q1" in response.content.decode()


def test_event_page_shows_schedule_and_cutoff_in_both_zones(client: Client, staff) -> None:
    e = event(staff, "2027-04-01", timezone="Europe/Berlin")
    page = client.get(f"/events/{e.pk}/").content.decode()
    assert "Thu 1 Apr 2027" in page
    assert "09:00\u201317:00 CEST" in page
    # The cutoff is the same local time 7 calendar days earlier, across the March change.
    assert "Thu 25 Mar 2027, 09:00 CET (UTC+01:00)" in page
    assert "Registration closes 7 days before the event" in page
    assert "meet.example" not in page
    assert client.get("/events/424242/").status_code == 404


def test_trainer_page_lists_upcoming_and_past(client: Client, staff) -> None:
    trainer = user_ensure(email="t@example.org", role="trainer")
    upcoming = event(staff, "2027-02-10", title="Upcoming one", trainer_ids=[trainer.pk])
    past = event(
        staff, "2026-11-10", title="Past one", trainer_ids=[trainer.pk], status="completed"
    )
    event(staff, "2027-02-11", title="Someone else's")
    client.force_login(trainer)
    page = client.get("/trainer/").content.decode()
    upcoming_part, past_part = page.split('id="past-h"')
    assert "Upcoming one" in upcoming_part
    assert "Past one" in past_part
    assert "Someone else" not in page
    assert upcoming.pk
    assert past.pk
    client.logout()
    assert client.get("/trainer/").status_code == 302
