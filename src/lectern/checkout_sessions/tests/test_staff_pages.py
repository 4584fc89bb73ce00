"""The staff sessions page: create a session in its zone, refusals at their field with their
code (never a 500), the upcoming list with sign-ups and places left, and cancelling one with
a reason; nobody but staff reaches it."""

from __future__ import annotations

import re
from typing import Any

import pytest
import time_machine
from django.test import Client

from lectern.checkout_sessions.models import CheckoutSession
from lectern.notifications.models import Message

from .conftest import SIGNUP_TIME, session, token_of

pytestmark = pytest.mark.django_db
PAGE = "/staff/checkout-sessions/"


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(SIGNUP_TIME, tick=False):
        yield


@pytest.fixture
def staff_client(client: Client, staff_user: Any) -> Client:
    client.force_login(staff_user)
    return client


def form(who: Any, **changes: Any) -> dict[str, Any]:
    return {
        "kind": "teaching_demo",
        "host": str(who.pk),
        "title": "",
        "timezone": "America/New_York",
        "start": "2027-03-14T09:00",  # the day clocks go forward: 09:00 EDT = 13:00Z
        "end": "2027-03-14T10:00",
        "capacity": "1",
        "meeting_url": "https://meet.example/room",
        "language": "en",
        **changes,
    }


def errors(response: Any) -> dict[str, list[str]]:
    """The field errors a page shows: {field id: [code, ...]}."""
    html = response.content.decode()
    found: dict[str, list[str]] = {}
    for field, block in re.findall(r'id="id_(\w+)_error">(.*?)</div>', html, re.S):
        found[field] = re.findall(r'data-code="([^"]+)"', block)
    return found


def test_staff_create_a_session_in_its_zone_capacity_one_is_enough(
    staff_client: Client, host: Any
) -> None:
    page = staff_client.get(PAGE)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'list="timezone-options"' in html  # the events' searchable zone picker
    assert "Hana Host &lt;host@trainers.example&gt;" in html
    created = staff_client.post(PAGE, form(host))
    assert created.status_code == 302, errors(created)
    made = CheckoutSession.objects.get()
    assert (made.capacity, made.timezone, f"{made.start:%Y-%m-%dT%H:%M}") == (
        1,
        "America/New_York",
        "2027-03-14T13:00",
    )
    listed = staff_client.get(PAGE).content.decode()
    assert f'href="/checkout-sessions/{made.pk}/"' in listed  # the host's result page
    assert "Sun 14 Mar 2027, 09:00\u201310:00 EDT (UTC\u221204:00)" in listed
    assert "1 of 1" in listed


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"capacity": "0"}, "capacity", "validation_error"),
        ({"capacity": "101"}, "capacity", "validation_error"),
        ({"capacity": "many"}, "capacity", "invalid"),
        ({"end": "2027-03-14T09:00"}, "end", "validation_error"),  # ends when it starts
        ({"end": "2027-03-14T08:59"}, "end", "validation_error"),
        ({"timezone": "Mars/Olympus"}, "timezone", "validation_error"),
        ({"timezone": ""}, "timezone", "required"),
        ({"start": "2027-03-14T02:30"}, "start", "validation_error"),  # the skipped hour
        ({"start": "14/03/2027 9am"}, "start", "validation_error"),
        ({"title": "Demo\x07"}, "title", "invalid_text"),
        ({"meeting_url": "javascript:alert(1)"}, "meeting_url", "validation_error"),
        ({"host": "99999999999999999999"}, "host", "invalid_choice"),
        ({"kind": "party"}, "kind", "invalid_choice"),
    ],
)
def test_a_refusal_is_at_its_field_with_its_code_and_creates_nothing(
    staff_client: Client, host: Any, changes: dict[str, str], field: str, code: str
) -> None:
    refused = staff_client.post(PAGE, form(host, **changes))
    assert refused.status_code == 422
    assert errors(refused) == {field: [code]}
    assert 'id="error-summary"' in refused.content.decode()
    assert not CheckoutSession.objects.exists()


def test_a_demo_needs_a_trainer_a_welcome_session_may_have_staff(
    staff_client: Client, staff_user: Any
) -> None:
    demo = staff_client.post(PAGE, form(staff_user))
    assert errors(demo) == {"host": ["validation_error"]}
    assert "A teaching demo is hosted by a trainer." in demo.content.decode()
    welcome = staff_client.post(PAGE, form(staff_user, kind="welcome_session"))
    assert welcome.status_code == 302
    assert CheckoutSession.objects.get().kind == "welcome_session"


def test_the_list_shows_sign_ups_and_places_left_and_cancel_tells_them(
    staff_client: Client, host: Any, trainees: Any
) -> None:
    demo = session(host, capacity=3)
    for trainee in trainees[:2]:
        staff_client.post(f"/me/{token_of(trainee)}/checkout-sessions/{demo.pk}/signup/")
    listed = staff_client.get(PAGE).content.decode()
    row = listed[listed.index(f'id="session-{demo.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "1 of 3" in row
    assert "Trainee 0, Trainee 1" in row
    confirm = staff_client.get(f"{PAGE}{demo.pk}/cancel/").content.decode()
    assert "Trainee 0" in confirm
    assert "trainee1@uni.example" in confirm
    blank = staff_client.post(f"{PAGE}{demo.pk}/cancel/", {"reason": " "})
    assert (blank.status_code, errors(blank)) == (422, {"reason": ["validation_error"]})
    done = staff_client.post(f"{PAGE}{demo.pk}/cancel/", {"reason": "The host is ill"})
    assert done.status_code == 302
    again = staff_client.post(f"{PAGE}{demo.pk}/cancel/", {"reason": "Again"})
    assert again.status_code == 409  # the page says it is cancelled; nothing to submit
    assert 'data-code="session_cancelled"' in again.content.decode()
    listed = staff_client.get(PAGE).content.decode()
    assert "<strong>Cancelled</strong>: The host is ill" in listed
    detail = staff_client.get(f"/checkout-sessions/{demo.pk}/").content.decode()
    assert "This session was cancelled" in detail
    personal = staff_client.get(f"/me/{token_of(trainees[0])}/").content.decode()
    assert 'class="signed-up"' not in personal  # free to choose another
    assert "Wed 10 Feb 2027, 15:00\u201316:00 CET (UTC+01:00): cancelled." in personal
    assert Message.objects.filter(kind="checkout_session_cancelled").count() == 2


def test_nobody_but_staff_reaches_the_page(
    client: Client, host: Any, trainees: Any, api_as: Any
) -> None:
    demo = session(host)
    anonymous = client.get(PAGE)
    assert (anonymous.status_code, anonymous["Location"][:7]) == (302, "/login/")
    client.force_login(host)
    assert client.get(PAGE).status_code == 404
    assert client.post(PAGE, form(host)).status_code == 404
    assert client.post(f"{PAGE}{demo.pk}/cancel/", {"reason": "Mine"}).status_code == 404
    demo.refresh_from_db()
    assert demo.status == "scheduled"
    assert not CheckoutSession.objects.exclude(pk=demo.pk).exists()


def test_the_dashboard_and_the_menu_link_to_the_page(staff_client: Client, host: Any) -> None:
    session(host)
    dashboard = staff_client.get("/staff/dashboard/").content.decode()
    assert f'<li><a href="{PAGE}">Sessions</a></li>' in dashboard  # the menu
    assert f'<a href="{PAGE}">Create, list and cancel them' in dashboard
    assert "1 upcoming, 4 places left." in dashboard
