"""Staff schedule and edit events in the back office; refusals come back on the form."""

from __future__ import annotations

import pytest
from django.test import Client

from lectern.accounts.services import user_ensure
from lectern.events.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client: Client, staff_user) -> Client:
    client.force_login(staff_user)
    return client


def form(**extra: str) -> dict[str, str]:
    return {
        "title": "Training",
        "timezone": "America/New_York",
        "sessions": "2027-02-10 09:00 - 17:00\n2027-02-11 09:00 - 17:00",
        "capacity": "20",
        "min_enrolment": "5",
        "language": "en",
        "public": "on",
        **extra,
    }


def test_schedule_an_event_and_edit_it(staff_client: Client) -> None:
    trainers = [user_ensure(email=f"t{n}@example.org", role="trainer") for n in (1, 2)]
    response = staff_client.post(
        "/admin/events/event/create/", form(trainers=[str(t.pk) for t in trainers])
    )
    event = Event.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/events/event/{event.pk}/change/"
    assert [s.start.isoformat() for s in event.sessions.all()] == [
        "2027-02-10T14:00:00+00:00",
        "2027-02-11T14:00:00+00:00",
    ]
    edit = staff_client.get(f"/admin/events/event/{event.pk}/edit/").content.decode()
    assert "2027-02-10 09:00 - 17:00" in edit
    staff_client.post(
        f"/admin/events/event/{event.pk}/edit/",
        form(
            sessions="2027-03-01 22:00 - 2027-03-02 02:00",
            capacity="25",
            trainers=[str(t.pk) for t in trainers],
        ),
    )
    event.refresh_from_db()
    assert event.capacity == 25
    assert [(s.start.isoformat(), s.end.isoformat()) for s in event.sessions.all()] == [
        ("2027-03-02T03:00:00+00:00", "2027-03-02T07:00:00+00:00")
    ]


def test_a_time_in_the_gap_is_refused_on_the_form(staff_client: Client) -> None:
    response = staff_client.post(
        "/admin/events/event/create/", form(sessions="2027-03-14 02:30 - 09:00")
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "2027-03-14 02:30 does not exist in America/New_York" in page
    assert "2027-03-14 02:30 - 09:00" in page  # what was typed is kept
    assert Event.objects.count() == 0


def test_an_ambiguous_time_is_saved_with_a_warning(staff_client: Client) -> None:
    response = staff_client.post(
        "/admin/events/event/create/", form(sessions="2026-11-01 01:30 - 09:30"), follow=True
    )
    page = response.content.decode()
    assert "happens twice in America/New_York" in page
    assert "At least two trainers are recommended; 0 assigned." in page


def test_unreadable_session_lines_are_named(staff_client: Client) -> None:
    response = staff_client.post("/admin/events/event/create/", form(sessions="next tuesday"))
    assert "Line 1 is not like 2027-03-04 09:00 - 17:00: next tuesday" in response.content.decode()


def test_cancel_from_the_back_office(staff_client: Client) -> None:
    staff_client.post("/admin/events/event/create/", form())
    event = Event.objects.get()
    response = staff_client.post(f"/admin/events/event/{event.pk}/cancel/", {"reason": ""})
    assert "This field is required." in response.content.decode()
    staff_client.post(f"/admin/events/event/{event.pk}/cancel/", {"reason": "Trainer ill"})
    event.refresh_from_db()
    assert (event.status, event.cancel_reason) == ("cancelled", "Trainer ill")


def test_membership_back_office_goes_through_services(staff_client: Client) -> None:
    from lectern.memberships.models import Membership
    from tests.factories import OrganizationFactory

    org = OrganizationFactory()
    response = staff_client.post(
        "/admin/memberships/membership/create/",
        {
            "organization": org.pk,
            "tier": "gold",
            "start_date": "2027-01-01",
            "registration_code": "abc",
        },
    )
    assert "A custom code needs at least 8 characters." in response.content.decode()
    staff_client.post(
        "/admin/memberships/membership/create/",
        {"organization": org.pk, "tier": "gold", "start_date": "2027-01-01"},
    )
    m = Membership.objects.get()
    assert m.seats_granted == 14
    staff_client.post(
        f"/admin/memberships/membership/{m.pk}/seats/", {"delta": "-20", "reason": "oops"}
    )
    m.refresh_from_db()
    assert m.seats_granted == 14
    page = staff_client.get(f"/admin/memberships/membership/{m.pk}/change/").content.decode()
    assert m.registration_code in page


def test_the_zone_picker_is_searchable_and_refuses_an_unknown_zone(staff_client: Client) -> None:
    page = staff_client.get("/admin/events/event/create/").content.decode()
    assert 'list="timezone-options"' in page
    assert '<datalist id="timezone-options">' in page
    assert '<option value="Europe/Berlin">' in page
    assert "<select" not in page.split('name="timezone"')[0][-200:]
    response = staff_client.post("/admin/events/event/create/", form(timezone="Mars/Olympus"))
    assert "&#x27;Mars/Olympus&#x27; is not an IANA time zone" in response.content.decode()
    assert Event.objects.count() == 0


def test_an_event_is_duplicated_with_new_dates(staff_client: Client) -> None:
    staff_client.post("/admin/events/event/create/", form(title="Spring", capacity="12"))
    source = Event.objects.get()
    page = staff_client.get(f"/admin/events/event/{source.pk}/duplicate/").content.decode()
    assert 'value="Spring"' in page
    assert "2027-02-10 09:00 - 17:00" in page
    response = staff_client.post(
        f"/admin/events/event/{source.pk}/duplicate/",
        form(title="Spring", capacity="12", sessions="2027-05-10 09:00 - 17:00"),
    )
    copy = Event.objects.exclude(pk=source.pk).get()
    assert response["Location"] == f"/admin/events/event/{copy.pk}/change/"
    assert (copy.title, copy.capacity, f"{copy.first_local_date}") == ("Spring", 12, "2027-05-10")
    assert source.sessions.count() == 2  # the original is unchanged


def format_form(**extra: str) -> dict[str, str]:
    base = form(**extra)
    del base["sessions"]
    return {"format": "four_half_days", "first_date": "2027-02-11", "start_time": "13:00", **base}


def test_four_half_days_from_a_first_date_skip_the_weekend(staff_client: Client) -> None:
    response = staff_client.post(
        "/admin/events/event/from-format/", format_form(skip_weekends="on", timezone="Asia/Tokyo")
    )
    event = Event.objects.get()
    assert response.status_code == 302
    # Thu 11, Fri 12, (weekend), Mon 15, Tue 16; 13:00-17:00 Tokyo is 04:00-08:00 UTC
    assert [(f"{s.start:%m-%d %H:%M}", f"{s.end:%H:%M}") for s in event.sessions.all()] == [
        ("02-11 04:00", "08:00"),
        ("02-12 04:00", "08:00"),
        ("02-15 04:00", "08:00"),
        ("02-16 04:00", "08:00"),
    ]


def test_two_full_days_run_on_consecutive_days_when_weekends_are_kept(
    staff_client: Client,
) -> None:
    staff_client.post(
        "/admin/events/event/from-format/",
        format_form(format="two_full_days", first_date="2027-02-13", start_time="09:00"),
    )
    event = Event.objects.get()
    assert [(f"{s.start:%m-%d %H:%M}", f"{s.end:%H:%M}") for s in event.sessions.all()] == [
        ("02-13 14:00", "22:00"),
        ("02-14 14:00", "22:00"),
    ]


def test_a_format_without_a_first_date_is_refused_on_the_form(staff_client: Client) -> None:
    response = staff_client.post("/admin/events/event/from-format/", format_form(first_date=""))
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert Event.objects.count() == 0
    assert "Schedule from a format" in staff_client.get("/admin/events/event/").content.decode()


def test_one_format_on_several_first_dates_schedules_an_event_for_each(
    staff_client: Client,
) -> None:
    response = staff_client.post(
        "/admin/events/event/from-format/",
        format_form(
            format="two_full_days",
            first_date="2027-02-11",
            more_dates="2027-03-11\n\n 2027-04-08 ",
            timezone="UTC",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/events/event/"
    firsts = sorted(f"{e.sessions.first().start:%Y-%m-%d %H:%M}" for e in Event.objects.all())
    assert firsts == ["2027-02-11 13:00", "2027-03-11 13:00", "2027-04-08 13:00"]


def test_a_line_that_is_not_a_date_is_named_and_nothing_is_scheduled(
    staff_client: Client,
) -> None:
    response = staff_client.post(
        "/admin/events/event/from-format/",
        format_form(more_dates="2027-03-11\n11/04/2027"),
    )
    assert response.status_code == 200
    assert "Line 2: &#x27;11/04/2027&#x27; is not a date like 2027-03-04." in (
        response.content.decode()
    )
    assert Event.objects.count() == 0


def test_more_dates_end_at_the_last_date_taken(staff_client: Client) -> None:
    """A first date past the dates the app takes was a 500 (the format's second day
    overflowed Python's calendar); it is refused on the field, naming its line."""
    response = staff_client.post(
        "/admin/events/event/from-format/",
        format_form(more_dates="2027-03-11\n9999-12-31\n3000-01-01"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Line 2: 9999-12-31 is out of range: give a date between 2000-01-01 and" in page
    assert Event.objects.count() == 0
    response = staff_client.post(
        "/admin/events/event/from-format/",
        format_form(more_dates="3000-01-01"),
    )
    assert "Line 1: 3000-01-01 is out of range" in response.content.decode()
    assert Event.objects.count() == 0


def test_twenty_more_dates_pass_and_twenty_one_are_refused(staff_client: Client) -> None:
    dates = [f"2027-{m:02d}-{d:02d}" for m in (3, 4) for d in range(2, 13)][:21]
    response = staff_client.post(
        "/admin/events/event/from-format/", format_form(more_dates="\n".join(dates[:20]))
    )
    assert response.status_code == 302
    assert Event.objects.count() == 21
    response = staff_client.post(
        "/admin/events/event/from-format/", format_form(more_dates="\n".join(dates))
    )
    assert "At most 20 more dates at once." in response.content.decode()
    assert Event.objects.count() == 21


def test_a_refused_date_schedules_none_of_them_and_names_the_date(
    staff_client: Client,
) -> None:
    response = staff_client.post(
        "/admin/events/event/from-format/",
        # 02:30 does not exist in New York on 14 March 2027: the clocks jump from 2:00 to 3:00
        format_form(
            first_date="2027-03-01",
            more_dates="2027-03-07\n2027-03-14",
            start_time="02:30",
            timezone="America/New_York",
        ),
    )
    assert response.status_code == 200
    assert "2027-03-14: " in response.content.decode()
    assert Event.objects.count() == 0
