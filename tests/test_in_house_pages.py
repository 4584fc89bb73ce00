"""An in-house event's registration page reveals nothing to callers who may not see it."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from lectern.accounts.services import user_ensure
from lectern.memberships import services as membership_services
from lectern.registrations.tests.conftest import NOW, body, make_event
from tests.factories import membership

pytestmark = pytest.mark.django_db

TITLE = "Secret In-House Training"


@pytest.fixture(autouse=True)
def frozen() -> Any:
    import time_machine

    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def setup(system: Any) -> dict[str, Any]:
    own = membership(tier="gold", start_date=date(2026, 10, 1))
    other = membership(tier="gold", start_date=date(2026, 10, 1))
    membership_services.contact_add(
        actor=system, membership=own, email="coord@own.example", name="C", role="coordinator"
    )
    membership_services.contact_add(
        actor=system, membership=other, email="coord@other.example", name="O", role="coordinator"
    )
    event = make_event(title=TITLE, membership=own)
    return {"event": event, "own": own, "other": other}


def form(code: str) -> dict[str, Any]:
    data = body(0, code)
    data.pop("event_id")
    data.update(accept_code_of_conduct="on", accept_privacy="on", action="register")
    return data


def test_the_public_gets_404_like_the_event_page(client: Client, setup: Any) -> None:
    event = setup["event"]
    for path in (f"/events/{event.pk}/", f"/events/{event.pk}/register/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert TITLE not in response.content.decode()
    response = client.get(f"/events/{event.pk}/register/?code={setup['other'].registration_code}")
    assert response.status_code == 404
    assert TITLE not in response.content.decode()
    for action in ("register", "waitlist"):
        data = {**form(setup["other"].registration_code), "action": action}
        response = client.post(f"/events/{event.pk}/register/", data)
        assert response.status_code == 404
        assert TITLE not in response.content.decode()
    assert client.get(f"/events/{event.pk + 1000}/register/").status_code == 404


def test_a_link_with_the_memberships_code_opens_it(client: Client, setup: Any) -> None:
    event, code = setup["event"], setup["own"].registration_code
    response = client.get(f"/events/{event.pk}/register/?code={code}")
    assert response.status_code == 200
    assert TITLE in response.content.decode()
    response = client.post(f"/events/{event.pk}/register/", form(code), follow=True)
    assert response.redirect_chain[-1][0].startswith("/manage/lr_")


def test_its_coordinator_and_staff_see_it_other_coordinators_do_not(
    client: Client, setup: Any
) -> None:
    event = setup["event"]
    for email, role, status in (
        ("coord@own.example", None, 200),
        ("staff@x.example", "staff", 200),
        ("coord@other.example", None, 404),
        ("trainer@x.example", "trainer", 404),
    ):
        user = user_ensure(email=email, role=role) if role else user_ensure(email=email)
        client.force_login(user)
        response = client.get(f"/events/{event.pk}/register/")
        assert response.status_code == status, email
        assert (TITLE in response.content.decode()) == (status == 200)
        client.logout()


def test_guessing_codes_through_the_page_is_rate_limited(client: Client, setup: Any) -> None:
    event = setup["event"]
    statuses = [
        client.get(f"/events/{event.pk}/register/?code=GUESS-{n}").status_code for n in range(40)
    ]
    assert statuses[0] == 404
    assert 429 in statuses
    assert "rate_limited" in client.get(f"/events/{event.pk}/register/?code=X").content.decode()
