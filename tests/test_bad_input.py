"""Bad input that reached a 500 (found by testing as an attacker would) is refused with a
stable code and a message for people, on the field, and nothing is written: dates far out
of range, lone surrogates, control characters in one-line text, NUL characters in multipart
forms, text longer than its column, bodies past the size limit. Over HTTP, on either
database."""

from __future__ import annotations

import base64
import json
from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client

from lectern.accounts.services import user_ensure
from lectern.checkout.models import Evidence
from lectern.core.validators import DATE_RANGE
from lectern.events.models import Event, EventStatus
from lectern.memberships.models import Membership, Organization
from lectern.notifications.models import Message
from lectern.notifications.services import message_write
from lectern.registrations.models import Registration, Trainee
from lectern.registrations.tests.conftest import body, make_event
from lectern.registrations.tokens import trainee_token
from tests.factories import OrganizationFactory, membership
from tests.world import NOW

pytestmark = pytest.mark.django_db
TOO_LARGE = 3_000_000  # bytes; the limit is 2.5 MB
SURROGATE = "\\ud800"  # as JSON escapes it: half of a UTF-16 pair, alone


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def staff_client(client: Client, staff_user: Any) -> Client:
    client.force_login(staff_user)
    return client


@pytest.fixture
def member(db: Any) -> Membership:
    return membership(start_date=date(2026, 10, 1))


def event_body(**extra: Any) -> dict[str, Any]:
    return {
        "title": "Training",
        "timezone": "UTC",
        "capacity": 10,
        "min_enrolment": 1,
        "sessions": [{"start": "2027-03-01T09:00", "end": "2027-03-01T17:00"}],
        **extra,
    }


def on_fields(response: Any) -> dict[str, list[str]]:
    """The fields a 422 validation_error names, with their messages."""
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    return error["fields"]


def with_surrogate(value: dict[str, Any], field: str) -> str:
    """The JSON text of `value` with a lone surrogate inside `field`."""
    return json.dumps({**value, field: "a SURROGATE b"}).replace("SURROGATE", SURROGATE)


# --- Dates: sessions, memberships, quarters --------------------------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "1999-12-31", "3000-01-01", "9999-12-31"])
def test_a_session_outside_the_dates_is_refused_on_the_field_and_not_saved(
    staff_api, client, day
) -> None:
    trainer = user_ensure(email="trainer@x.example", role="trainer")
    sessions = [{"start": f"{day}T09:00", "end": f"{day}T17:00"}]
    response = staff_api.post("/events", event_body(sessions=sessions, trainer_ids=[trainer.pk]))
    assert DATE_RANGE in on_fields(response)["sessions.0.start"][0]
    assert not Event.objects.exists()
    assert staff_api.get("/events", page_size=500).status_code == 200
    client.force_login(trainer)
    assert client.get("/trainer/").status_code == 200


@pytest.mark.parametrize("day", ["2000-01-01", "2999-12-31"])
def test_the_first_and_last_days_leave_room_for_every_calculation(staff_api, client, day) -> None:
    """The cutoff a week before, the calendar's next quarter, the trainers' page."""
    trainer = user_ensure(email="trainer@x.example", role="trainer")
    sessions = [{"start": f"{day}T00:00", "end": f"{day}T23:59"}]
    response = staff_api.post(
        "/events",
        event_body(sessions=sessions, trainer_ids=[trainer.pk], timezone="Pacific/Kiritimati"),
    )
    assert response.status_code == 201, response.content
    assert len(staff_api.get("/events", page_size=500).json()["items"]) == 1
    quarter = f"{day[:4]}-Q{1 if day.endswith('01-01') else 4}"
    assert staff_api.get("/calendar", quarter=quarter).status_code == 200
    assert staff_api.get("/calendar.ics", quarter=quarter).status_code == 200
    client.force_login(trainer)
    assert client.get("/trainer/").status_code == 200


def test_moving_sessions_out_of_the_dates_is_refused_and_changes_nothing(staff_api) -> None:
    event = make_event()
    before = [(s.start, s.end) for s in event.sessions.all()]
    sessions = [{"start": "0001-01-01T09:00", "end": "0001-01-01T17:00"}]
    response = staff_api.patch(f"/events/{event.pk}", {"sessions": sessions})
    assert "sessions.0.start" in on_fields(response)
    assert [(s.start, s.end) for s in event.sessions.all()] == before


def test_the_back_office_refuses_a_session_outside_the_dates(staff_client) -> None:
    response = staff_client.post(
        "/admin/events/event/create/",
        {
            **{"title": "Training", "timezone": "UTC", "capacity": "10", "min_enrolment": "1"},
            **{"language": "en", "sessions": "0001-01-01 09:00 - 17:00"},
        },
    )
    assert response.status_code == 200
    assert DATE_RANGE in response.content.decode()
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("field", "day"),
    [("start_date", "9999-12-31"), ("start_date", "0001-01-01"), ("end_date", "9999-12-31")],
)
def test_a_membership_outside_the_dates_is_refused_on_the_field(staff_api, field, day) -> None:
    organization = OrganizationFactory()
    request = {"organization_id": organization.pk, "tier": "silver", "start_date": "2027-01-01"}
    response = staff_api.post("/memberships", {**request, field: day})
    assert DATE_RANGE in on_fields(response)[field][0]
    assert not Membership.objects.exists()


def test_extending_or_rolling_over_past_the_dates_is_refused(staff_api) -> None:
    member = membership(start_date=date(2026, 10, 1))
    extended = staff_api.post(
        f"/memberships/{member.pk}/extend", {"end_date": "9999-12-31", "reason": "forever"}
    )
    assert "end_date" in on_fields(extended)
    rolled = staff_api.post(
        f"/memberships/{member.pk}/rollover", {"seats": 1, "start_date": "9999-12-31"}
    )
    assert "start_date" in on_fields(rolled)
    member.refresh_from_db()
    assert member.end_date == date(2027, 9, 30)
    assert Membership.objects.count() == 1


def test_the_back_office_refuses_membership_dates_outside_the_bounds(staff_client) -> None:
    organization = OrganizationFactory()
    response = staff_client.post(
        "/admin/memberships/membership/create/",
        {"organization": str(organization.pk), "tier": "silver", "start_date": "9999-12-31"},
    )
    assert response.status_code == 200
    assert DATE_RANGE in response.content.decode()
    assert not Membership.objects.exists()
    member = membership(start_date=date(2026, 10, 1))
    response = staff_client.post(
        f"/admin/memberships/membership/{member.pk}/extend/",
        {"end_date": "9999-12-31", "reason": "forever"},
    )
    assert DATE_RANGE in response.content.decode()
    member.refresh_from_db()
    assert member.end_date == date(2027, 9, 30)


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_an_activity_outside_the_dates_is_refused(staff_api, world, day) -> None:
    trainee_id = world["ids"]["T"]
    activity = {"requirement": "get_involved", "kind": "served", "url": "https://x.example/w"}
    response = staff_api.post(
        f"/trainees/{trainee_id}/progress", {**activity, "state": "submitted", "date": day}
    )
    assert DATE_RANGE in on_fields(response)["date"][0]
    trainee = Trainee.objects.get(pk=trainee_id)
    token = trainee_token(trainee.pk, trainee.link_nonce)
    page = Client().post(f"/me/{token}/checkout/", {**activity, "date": day}, follow=True)
    assert DATE_RANGE in page.content.decode()
    assert not Evidence.objects.exists()


@pytest.mark.parametrize("quarter", ["0000-Q1", "1999-Q4", "3000-Q1", "9999-Q4"])
def test_a_quarter_outside_the_dates_is_refused(anon_api, client, quarter) -> None:
    page = client.get("/calendar/", {"quarter": quarter})
    assert page.status_code == 400
    assert "from 2000-Q1 to 2999-Q4" in page.content.decode()
    for path in ("/calendar", "/calendar.ics"):
        assert "quarter" in on_fields(anon_api.get(path, quarter=quarter))


# --- Lone surrogates ----------------------------------------------------------------


@pytest.mark.parametrize("field", ["preparation_notes", "title", "meeting_url"])
def test_a_lone_surrogate_in_an_event_is_refused_on_the_field(staff_api, field) -> None:
    response = staff_api.post("/events", raw=with_surrogate(event_body(), field))
    assert "unpaired surrogate" in on_fields(response)[field][0]
    assert not Event.objects.exists()


@pytest.mark.parametrize("field", ["teaching_experience", "name", "affiliation", "timezone"])
def test_a_lone_surrogate_in_a_registration_is_refused_on_the_field(
    anon_api, member, field
) -> None:
    event = make_event()
    raw = with_surrogate(body(event.pk, member.registration_code), field)
    response = anon_api.post("/registrations", raw=raw)
    assert "unpaired surrogate" in on_fields(response)[field][0]
    assert not Registration.objects.exists()


def test_a_lone_surrogate_in_a_reason_is_refused_on_the_field(staff_api) -> None:
    event = make_event()
    cancelled = staff_api.post(f"/events/{event.pk}/cancel", raw=with_surrogate({}, "reason"))
    assert "reason" in on_fields(cancelled)
    event.refresh_from_db()
    assert event.status == EventStatus.SCHEDULED
    member = membership()
    seats = staff_api.post(
        f"/memberships/{member.pk}/seats", raw=with_surrogate({"delta": 1}, "reason")
    )
    assert "reason" in on_fields(seats)
    member.refresh_from_db()
    assert member.seats_granted == 5


# --- Control characters in one-line text ---------------------------------------------


@pytest.mark.parametrize("title", ["Training\r\nATTACH:x", "Training\nPart 2", "Bell\x07"])
def test_a_title_of_more_than_one_line_is_refused(staff_api, title) -> None:
    assert "one line" in on_fields(staff_api.post("/events", event_body(title=title)))["title"][0]
    assert not Event.objects.exists()
    event = make_event()
    assert "title" in on_fields(staff_api.patch(f"/events/{event.pk}", {"title": title}))
    event.refresh_from_db()
    assert event.title == "Instructor Training"


@pytest.mark.parametrize("field", ["name", "affiliation"])
def test_a_name_of_more_than_one_line_is_refused(anon_api, member, field) -> None:
    event = make_event()
    response = anon_api.post(
        "/registrations", {**body(event.pk, member.registration_code), field: "A\r\nBcc: x@y"}
    )
    assert "one line" in on_fields(response)[field][0]
    assert not Registration.objects.exists()


def test_the_pages_and_the_back_office_refuse_a_title_or_name_of_two_lines(
    client, staff_client, member
) -> None:
    response = staff_client.post(
        "/admin/events/event/create/",
        {
            **{"title": "Training\r\nATTACH:x", "timezone": "UTC", "language": "en"},
            **{"capacity": "10", "min_enrolment": "1", "sessions": "2027-03-01 09:00 - 17:00"},
        },
    )
    assert response.status_code == 200
    assert "Give one line of text" in response.content.decode()
    assert not Event.objects.exists()
    organization = staff_client.post(
        "/admin/memberships/organization/add/", {"name": "Uni\nversity", "country": "GB"}
    )
    assert "Give one line of text" in organization.content.decode()
    assert not Organization.objects.filter(name__startswith="Uni").exists()
    event = make_event()
    form = {**body(event.pk, member.registration_code), "name": "Ana\r\nBcc: x@y"}
    form["technologies"], form["carpentries_experience"] = "python", "helper"
    page = Client().post(f"/events/{event.pk}/register/", form)
    assert "Give one line of text" in page.content.decode()
    assert not Registration.objects.exists()


def test_a_title_stored_with_a_line_break_still_makes_whole_calendars(anon_api, member) -> None:
    """Titles stored before they were checked: registrations still answer, and the
    attachment's calendar name is one line."""
    event = make_event()
    Event.objects.filter(pk=event.pk).update(title="Evil\r\nATTACH:x")
    response = anon_api.post("/registrations", body(event.pk, member.registration_code))
    assert response.status_code == 201, response.content
    message = message_write(Message.objects.get(kind="registration_confirmed"))
    ics = bytes(message.attachments.get().content).decode()
    assert "X-WR-CALNAME:Evil ATTACH:x\r\n" in ics
    feed = anon_api.get("/calendar.ics", quarter="2027-Q1")
    assert feed.status_code == 200
    assert "SUMMARY:Evil ATTACH:x (part 1 of 1)" in feed.content.decode()


# --- NUL characters in multipart forms -----------------------------------------------


def test_a_nul_in_a_multipart_form_is_refused(client, member) -> None:
    event = make_event()
    form = {**body(event.pk, member.registration_code), "name": "A\x00B"}
    form["technologies"], form["carpentries_experience"] = "python", "helper"
    response = client.post(f"/events/{event.pk}/register/", form)  # multipart, as a file form
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert not Registration.objects.exists()


def test_a_nul_hidden_in_a_base64_field_of_a_multipart_form_is_refused(client) -> None:
    """Django decodes base64 fields: the raw body holds no NUL, the field does."""
    boundary = "BoUnDaRy"
    encoded = base64.b64encode(b"a\x00@x.example").decode()
    payload = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="email"\r\n'
        "Content-Transfer-Encoding: base64\r\n\r\n"
        f"{encoded}\r\n"
        f"--{boundary}--\r\n"
    )
    response = client.post(
        "/login/", payload, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def test_a_nul_in_a_multipart_body_to_the_api_is_a_422(staff_api) -> None:
    response = staff_api.client.post(
        "/api/v1/organizations",
        {"name": "A\x00B", "country": "GB"},
        headers={"Authorization": f"Bearer {staff_api.token}"},
    )
    assert response.status_code == 422
    assert "NUL" in response.json()["error"]["message"]
    assert not Organization.objects.exists()


def test_a_multipart_form_no_one_can_read_is_a_400(client) -> None:
    unreadable = "multipart/form-data; boundary="
    page = client.post("/login/", "--x\r\nno headers", content_type=unreadable)
    assert page.status_code == 400
    api = client.post("/api/v1/organizations", "--x\r\nno headers", content_type=unreadable)
    assert api.status_code == 400
    assert api.json()["error"]["code"] == "bad_request"


# --- Text longer than its column -------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("language", "x" * 17), ("meeting_url", "https://meet.example/" + "a" * 500)],
)
def test_text_longer_than_its_column_is_refused_on_the_field(staff_api, field, value) -> None:
    assert field in on_fields(staff_api.post("/events", event_body(**{field: value})))
    assert not Event.objects.exists()
    event = make_event()
    assert field in on_fields(staff_api.patch(f"/events/{event.pk}", {field: value}))
    event.refresh_from_db()
    assert len(getattr(event, field)) < len(value)


def test_the_back_office_refuses_a_meeting_link_longer_than_its_column(staff_client) -> None:
    response = staff_client.post(
        "/admin/events/event/create/",
        {
            **{"title": "Training", "timezone": "UTC", "capacity": "10", "min_enrolment": "1"},
            **{"language": "en", "sessions": "2027-03-01 09:00 - 17:00"},
            "meeting_url": "https://meet.example/" + "a" * 500,
        },
    )
    assert response.status_code == 200
    assert "at most 500 characters" in response.content.decode()
    assert not Event.objects.exists()


def test_the_trainees_pages_refuse_addresses_longer_than_their_column(world) -> None:
    trainee = Trainee.objects.get(pk=world["ids"]["T"])
    token = trainee_token(trainee.pk, trainee.link_nonce)
    client = Client()
    too_long = "https://github.com/carpentries/" + "a" * 500
    step = client.post(
        f"/me/{token}/checkout/",
        {"requirement": "teaching_demo", "date": "2027-01-08", "url": too_long},
        follow=True,
    )
    assert "up to 500 characters" in step.content.decode()
    assert not Evidence.objects.filter(url=too_long).exists()
    directory = client.post(f"/me/{token}/directory/", {"website": too_long}, follow=True)
    assert "up to 300 characters" in directory.content.decode()
    assert Trainee.objects.get(pk=world["ids"]["T"]).website == ""


# --- Bodies past the size limit ------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "application/octet-stream", "multipart"])
def test_any_body_past_the_size_limit_is_a_413_in_the_error_shape(anon_api, content_type) -> None:
    if content_type == "multipart":
        response = anon_api.client.post("/api/v1/registrations", {"name": "x" * TOO_LARGE})
    else:
        response = anon_api.client.post(
            "/api/v1/registrations", "x" * TOO_LARGE, content_type=content_type
        )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    assert "2.5 MB" in response.json()["error"]["message"]


def test_a_multipart_form_past_the_size_limit_is_a_413_on_pages(client) -> None:
    response = client.post("/login/", {"email": "x" * TOO_LARGE})
    assert response.status_code == 413
    assert "larger than 2.5 MB" in response.content.decode()


def test_a_host_not_allowed_is_refused_in_the_apis_shape(client) -> None:
    response = client.get("/api/v1/calendar", HTTP_HOST="66u")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    page = client.get("/calendar/", HTTP_HOST="66u")
    assert page.status_code == 400
