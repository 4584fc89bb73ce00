"""The event and calendar endpoints, the iCalendar feed, and the calendar's fixed query count."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar
import pytest
import time_machine

from lectern.accounts.services import user_ensure
from lectern.events import services
from lectern.events.ical import feed_uid
from lectern.events.services import LocalTimes
from lectern.memberships import services as membership_services
from tests.factories import membership

pytestmark = pytest.mark.django_db

TODAY = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)  # 2027-Q1; next quarter is 2027-Q2


def two_days(day: str, start: str = "09:00", end: str = "17:00") -> list[dict[str, str]]:
    follow = f"{day[:8]}{int(day[8:]) + 1:02d}"
    return [
        {"start": f"{day}T{start}", "end": f"{day}T{end}"},
        {"start": f"{follow}T{start}", "end": f"{follow}T{end}"},
    ]


def event_body(**extra):
    body = {
        "title": "Instructor Training",
        "timezone": "America/New_York",
        "sessions": two_days("2027-02-10"),
        "capacity": 25,
        "min_enrolment": 8,
        "meeting_url": "https://meet.example/abc",
        "preparation_notes": "Install Zoom.",
    }
    return {**body, **extra}


def create(api, **extra):
    response = api.post("/events", event_body(**extra))
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_create_returns_utc_sessions_cutoff_and_seats(staff_api, anon_api) -> None:
    event = create(staff_api)
    assert event["sessions"][0] == {"start": "2027-02-10T14:00:00Z", "end": "2027-02-10T22:00:00Z"}
    assert event["sessions_local"][0] == {
        "start": "2027-02-10T09:00",
        "end": "2027-02-10T17:00",
        "utc_offset": "UTC\u221205:00",
    }
    assert event["registration_closes_at"] == "2027-02-03T14:00:00Z"
    assert (event["seats_left"], event["status"], event["run_regardless"]) == (
        25,
        "scheduled",
        False,
    )
    assert event["format"] == "two_full_days"
    assert event["meeting_url"] == "https://meet.example/abc"
    public = anon_api.get(f"/events/{event['id']}").json()
    assert public["meeting_url"] is None
    assert public["preparation_notes"] is None
    assert public["warnings"] == []


def test_patch_and_cancel(staff_api, anon_api) -> None:
    event = create(staff_api)
    response = staff_api.patch(f"/events/{event['id']}", {"run_regardless": True, "capacity": 30})
    assert response.status_code == 200
    assert (response.json()["run_regardless"], response.json()["seats_left"]) == (True, 30)
    response = staff_api.patch(f"/events/{event['id']}", {"sessions": two_days("2027-03-01")})
    assert response.json()["registration_closes_at"] == "2027-02-22T14:00:00Z"
    response = anon_api.patch(f"/events/{event['id']}", {"capacity": 1})
    assert response.status_code == 401
    response = staff_api.post(f"/events/{event['id']}/cancel", {"reason": "Low enrolment"})
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    again = staff_api.post(f"/events/{event['id']}/cancel", {"reason": "again"})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "event_cancelled")


def test_bad_event_input_is_refused_in_the_error_shape(staff_api) -> None:
    cases = [
        ({"timezone": "Nowhere/City"}, "timezone"),
        (
            {"sessions": [{"start": "2027-03-14T02:30", "end": "2027-03-14T09:00"}]},
            "sessions.0.start",
        ),
        ({"sessions": "tomorrow"}, "sessions"),
        ({"capacity": "lots"}, "capacity"),
        ({"capacity": 0}, "capacity"),
        ({"meeting_url": "not a url"}, "meeting_url"),
        ({"membership_id": 4242}, "membership_id"),
        ({"trainer_ids": [4242]}, "trainer_ids"),
    ]
    for change, field in cases:
        response = staff_api.post("/events", event_body(**change))
        assert response.status_code == 422, (change, response.content)
        assert field in response.json()["error"]["fields"], (change, response.json())
    gap = staff_api.post(
        "/events", event_body(sessions=[{"start": "2027-03-14T02:30", "end": "2027-03-14T09:00"}])
    )
    assert "does not exist in America/New_York" in gap.json()["error"]["message"]
    assert staff_api.patch("/events/4242", {"capacity": 3}).status_code == 404
    event = create(staff_api)
    response = staff_api.patch(f"/events/{event['id']}", {"capacity": None})
    assert response.status_code == 422


def test_calendar_lists_current_and_next_quarter_only(staff_api, anon_api) -> None:
    this_q = create(staff_api, sessions=two_days("2027-02-10"))
    next_q = create(staff_api, sessions=two_days("2027-05-10"))
    create(staff_api, sessions=two_days("2027-08-10"))  # the quarter after next
    items = anon_api.get("/calendar").json()
    assert [e["id"] for e in items["items"]] == [this_q["id"], next_q["id"]]
    assert items["count"] == 2
    q3 = anon_api.get("/calendar", quarter="2027-Q3").json()
    assert len(q3["items"]) == 1
    bad = anon_api.get("/calendar", quarter="2027-Q5")
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "validation_error")


def test_quarter_of_an_event_is_its_local_first_day(staff_api, anon_api) -> None:
    """31 March 23:30 in Honolulu is 1 April 09:30 UTC, but a first-quarter event."""
    late = create(
        staff_api,
        timezone="Pacific/Honolulu",
        sessions=[
            {"start": "2027-03-31T23:30", "end": "2027-04-01T07:30"},
            {"start": "2027-04-01T23:30", "end": "2027-04-02T07:30"},
        ],
    )
    assert late["sessions"][0]["start"] == "2027-04-01T09:30:00Z"
    q1 = [e["id"] for e in anon_api.get("/calendar", quarter="2027-Q1").json()["items"]]
    q2 = [e["id"] for e in anon_api.get("/calendar", quarter="2027-Q2").json()["items"]]
    assert (late["id"] in q1, late["id"] in q2) == (True, False)


def test_calendar_excludes_cancelled_in_house_and_past_events(staff_api, anon_api, staff) -> None:
    shown = create(staff_api)
    cancelled = create(staff_api)
    staff_api.post(f"/events/{cancelled['id']}/cancel", {"reason": "x"})
    create(staff_api, public=False)
    m = membership()
    in_house = create(staff_api, membership_id=m.pk)
    assert in_house["public"] is False
    create(staff_api, sessions=two_days("2027-01-10"))  # already over
    create(staff_api, sessions=two_days("2027-01-10"), status="completed")
    ids = [e["id"] for e in anon_api.get("/calendar").json()["items"]]
    assert ids == [shown["id"]]
    assert anon_api.get(f"/events/{in_house['id']}").status_code == 404


def test_in_house_event_is_seen_by_its_coordinators_only(staff_api, api_as, staff) -> None:
    m, other = membership(), membership()
    membership_services.contact_add(
        actor=staff, membership=m, email="c@a.example", name="C", role="coordinator"
    )
    membership_services.contact_add(
        actor=staff, membership=other, email="d@b.example", name="D", role="coordinator"
    )
    event = create(staff_api, membership_id=m.pk)
    assert api_as("c@a.example").get(f"/events/{event['id']}").status_code == 200
    assert api_as("d@b.example").get(f"/events/{event['id']}").status_code == 404


def test_trainers_see_private_details_of_their_events(staff_api, api_as) -> None:
    trainer = user_ensure(email="t@example.org", role="trainer")
    event = create(staff_api, trainer_ids=[trainer.pk])
    other = create(staff_api)
    as_trainer = api_as("t@example.org")
    assert (
        as_trainer.get(f"/events/{event['id']}").json()["meeting_url"] == "https://meet.example/abc"
    )
    assert as_trainer.get(f"/events/{other['id']}").json()["meeting_url"] is None


def test_ical_feed_parses_back_to_the_same_instants(staff_api, anon_api, client) -> None:
    ny = create(
        staff_api,
        sessions=[
            {"start": "2027-03-13T09:00", "end": "2027-03-13T13:00"},
            {"start": "2027-03-15T09:00", "end": "2027-03-15T13:00"},
        ],
    )
    kolkata = create(staff_api, timezone="Asia/Kolkata", sessions=two_days("2027-05-10"))
    response = client.get("/api/v1/calendar.ics")
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    zones = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    assert zones == {"America/New_York", "Asia/Kolkata"}
    parsed = {
        str(e["UID"]): (e.decoded("DTSTART"), e.decoded("DTEND")) for e in calendar.walk("VEVENT")
    }
    for event in (ny, kolkata):
        for number, session in enumerate(event["sessions"], start=1):
            start, end = parsed[feed_uid(event["id"], number)]
            assert start.astimezone(UTC).isoformat().replace("+00:00", "Z") == session["start"]
            assert end.astimezone(UTC).isoformat().replace("+00:00", "Z") == session["end"]
            assert str(start.tzinfo) == event["timezone"]
    # The New York sessions straddle the March change: EST then EDT.
    first, second = (parsed[feed_uid(ny["id"], n)][0] for n in (1, 2))
    assert (first.utcoffset().total_seconds(), second.utcoffset().total_seconds()) == (
        -18000,
        -14400,
    )


@pytest.mark.parametrize("count", [5, 200])
def test_calendar_uses_a_fixed_number_of_queries(
    staff, client, django_assert_num_queries, count
) -> None:
    trainer = user_ensure(email="t@example.org", role="trainer")
    for n in range(count):
        services.event_create(
            actor=staff,
            title=f"Event {n}",
            timezone="Europe/Berlin",
            sessions=[
                LocalTimes(f"2027-02-{1 + n % 28:02d}T09:00", f"2027-02-{1 + n % 28:02d}T17:00")
            ],
            capacity=20,
            min_enrolment=5,
            trainer_ids=[trainer.pk],
        )
    with django_assert_num_queries(4):  # count, events, sessions, trainers
        response = client.get("/api/v1/calendar", {"page_size": 500})
    assert len(response.json()["items"]) == count
    with django_assert_num_queries(3):
        client.get("/api/v1/calendar.ics")
    with django_assert_num_queries(3):
        page = client.get("/calendar/")
    assert page.content.decode().count('class="event"') == count
