"""Passwordless sign-in for coordinators, and the coordinator's membership page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from lectern.accounts.services import login_link_consume, login_link_create, user_ensure
from lectern.core import clock
from lectern.core.errors import NotFound
from lectern.memberships import services
from lectern.notifications.models import Message
from lectern.notifications.sender import send_due
from tests.factories import membership

pytestmark = pytest.mark.django_db


def sign_in_emails() -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if "sign-in link" in m.subject]


def emailed_link() -> str:
    send_due()  # sign-in links leave through the outbox, as `lectern serve`'s worker does
    links = sign_in_emails()
    assert len(links) == 1
    match = re.search(r"http://\S+/login/(\S+)/", links[0].body)
    assert match, links[0].body
    return f"/login/{match.group(1)}/"


@pytest.fixture
def coordinated(staff):
    m = membership(tier="gold")
    services.contact_add(
        actor=staff, membership=m, email="coord@uni.example", name="Co Ord", role="coordinator"
    )
    return m


def test_coordinator_signs_in_by_link_and_sees_their_seats(
    client: Client, coordinated, staff
) -> None:
    other = membership(tier="silver")
    response = client.post("/login/", {"email": "Coord@Uni.example"})
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    link = emailed_link()
    assert sign_in_emails()[0].to == ["coord@uni.example"]
    # Opening the link only shows a button: mail scanners do not sign anyone in.
    assert "Sign in" in client.get(link).content.decode()
    assert client.get(f"/memberships/{coordinated.pk}/").status_code == 302
    response = client.post(link, follow=True)
    assert response.redirect_chain[-1][0] == "/memberships/"
    page = client.get(f"/memberships/{coordinated.pk}/").content.decode()
    assert coordinated.registration_code in page
    assert re.search(r"<dt>Available</dt><dd>14</dd>", page)
    assert "<svg" in page
    assert "Seat use over the membership year" in page
    assert client.get(f"/memberships/{other.pk}/").status_code == 404
    # The link is spent.
    assert client.post(link).status_code == 404


def test_unknown_address_gets_the_same_answer_and_no_mail(client: Client, db) -> None:
    response = client.post("/login/", {"email": "nobody@nowhere.example"})
    assert "Check your email" in response.content.decode()
    send_due()
    assert mail.outbox == []
    assert not Message.objects.exists()


def test_login_form_errors_are_shown_with_the_input(client: Client, db) -> None:
    response = client.post("/login/", {"email": "not-an-email"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address." in page
    assert 'value="not-an-email"' in page


def test_links_expire(db) -> None:
    user = user_ensure(email="a@example.org")
    url = login_link_create(user=user)
    raw = url.rstrip("/").rsplit("/", 1)[1]
    with pytest.raises(NotFound):
        login_link_consume(raw=raw, now=clock.now() + timedelta(minutes=16))
    assert login_link_consume(raw=raw) == user


def test_sign_in_links_are_rate_limited(client: Client, coordinated) -> None:
    for _ in range(5):  # the last that passes
        assert client.post("/login/", {"email": "coord@uni.example"}).status_code == 200
    response = client.post("/login/", {"email": "Coord@uni.example"})  # the first that does not
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert "Too many links were requested for this address" in response.content.decode()
    assert Message.objects.filter(kind="login_link").count() == 5
    send_due()
    assert len(sign_in_emails()) == 5


def test_pages_use_csrf(coordinated) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/login/", {"email": "coord@uni.example"}).status_code == 403
