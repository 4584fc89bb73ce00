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
