"""Signing in by email address: trainees get their personal link, users their sign-in link,
unknown addresses the same answer; every email through the outbox; rate limits."""

from __future__ import annotations

import re
import socket
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import ApiClient
from lectern.accounts.services import user_ensure
from lectern.core import clock
from lectern.core.models import RateCount
from lectern.notifications.models import Message, MessageStatus
from lectern.notifications.sender import send_due
from lectern.registrations.emails import personal_url
from lectern.registrations.models import Trainee

pytestmark = pytest.mark.django_db


def trainee(email: str = "ada@uni.example", **extra: Any) -> Trainee:
    return Trainee.objects.create(
        email=email,
        name="Ada Lovelace",
        affiliation="Uni",
        country="NZ",
        usage_frequency="weekly",
        created_at=clock.now(),
        **extra,
    )


def page_text(response: Any, email: str) -> str:
    # The language switch's CSRF token is masked afresh on every response.
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "TOKEN", response.content.decode())
    return text.replace(email, "ADDRESS")


def test_a_trainee_gets_their_personal_link_from_the_sign_in_page(client: Client) -> None:
    ada = trainee()
    response = client.post("/login/", {"email": "  Ada@Uni.example "})
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    message = Message.objects.get()
    assert (message.kind, message.recipient, message.status) == (
        "trainee_sign_in",
        "ada@uni.example",
        MessageStatus.PENDING,
    )
    assert personal_url(ada) in message.body_text
    assert personal_url(ada) not in response.content.decode()
    # Each request may send one.
    client.post("/login/", {"email": "ada@uni.example"})
    assert Message.objects.filter(kind="trainee_sign_in").count() == 2
    send_due()
    assert [m.to for m in mail.outbox] == [["ada@uni.example"]] * 2


def test_known_and_unknown_addresses_get_the_same_answer_and_work(client: Client) -> None:
    trainee()
    answers, statements = [], []
    for email in ("ada@uni.example", "nobody@uni.example"):
        with CaptureQueriesContext(connection) as queries:
            response = client.post("/login/", {"email": email})
        answers.append((response.status_code, page_text(response, email)))
        # The statements before anything is queued are the same: the two counters, the
        # user and the trainee looked up.
        work = [q["sql"] for q in queries.captured_queries if "notifications" not in q["sql"]]
        statements.append([s.split()[0] for s in work if "SAVEPOINT" not in s])
    assert answers[0] == answers[1]
    assert statements[0] == statements[1]
    assert RateCount.objects.filter(scope="sign_in_address").count() == 2
    assert Message.objects.count() == 1


def test_erased_trainees_and_inactive_users_get_nothing(client: Client) -> None:
    trainee(erased_at=clock.now())
    user = user_ensure(email="gone@uni.example", role="trainer")
    user.is_active = False
    user.save()
    client.post("/login/", {"email": "ada@uni.example"})
    client.post("/login/", {"email": "gone@uni.example"})
    assert not Message.objects.exists()


def test_an_address_that_is_user_and_trainee_gets_both_links(client: Client) -> None:
    trainee(email="both@uni.example")
    user_ensure(email="both@uni.example", role="trainer")
    client.post("/login/", {"email": "both@uni.example"})
    assert sorted(Message.objects.values_list("kind", flat=True)) == [
        "login_link",
        "trainee_sign_in",
    ]


def test_api_trainee_link_answers_sent_whatever_the_address(client: Client) -> None:
    ada = trainee()
    user_ensure(email="staff@uni.example", role="staff")
    api = ApiClient(client)
    for email in ("ada@uni.example", "nobody@uni.example", "staff@uni.example"):
        response = api.post("/auth/trainee-link", {"email": email})
        assert (response.status_code, response.json()) == (202, {"status": "sent"})
    # Only the trainee is emailed: the API's link is the trainee's.
    message = Message.objects.get()
    assert message.kind == "trainee_sign_in"
    assert personal_url(ada) in message.body_text


@pytest.mark.parametrize("email", ["not-an-email", "a@", "@b.example", "a b@c.example", ""])
def test_api_trainee_link_refuses_invalid_addresses_on_the_field(client: Client, email) -> None:
    response = ApiClient(client).post("/auth/trainee-link", {"email": email})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert "email" in error["fields"]
    assert not RateCount.objects.exists()


def test_api_trainee_link_is_limited_per_address(client: Client, settings) -> None:
    trainee()
    for n in range(5):  # the last that passes
        api = ApiClient(Client(REMOTE_ADDR=f"10.2.0.{n}"))
        assert api.post("/auth/trainee-link", {"email": "ada@uni.example"}).status_code == 202
    limited = ApiClient(Client(REMOTE_ADDR="10.2.0.99")).post(
        "/auth/trainee-link", {"email": "ADA@uni.example"}
    )
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert "Too many links" in limited.json()["error"]["message"]
    assert 0 < int(limited["Retry-After"]) <= 3600
    assert Message.objects.count() == 5
    # An unknown address is limited the same way: the answer tells nothing.
    for n in range(5):
        api = ApiClient(Client(REMOTE_ADDR=f"10.3.0.{n}"))
        assert api.post("/auth/trainee-link", {"email": "no@uni.example"}).status_code == 202
    unknown = ApiClient(Client(REMOTE_ADDR="10.3.0.99"))
    assert unknown.post("/auth/trainee-link", {"email": "no@uni.example"}).status_code == 429


def test_sign_in_requests_are_limited_per_client(client: Client, settings) -> None:
    settings.LECTERN = {**settings.LECTERN, "SIGN_IN_REQUESTS_PER_CLIENT": 3}
    api = ApiClient(client)
    for n in range(3):
        assert api.post("/auth/trainee-link", {"email": f"a{n}@uni.example"}).status_code == 202
    limited = api.post("/auth/trainee-link", {"email": "a9@uni.example"})
    assert (limited.status_code, limited.json()["error"]["code"]) == (429, "rate_limited")
    page = client.post("/login/", {"email": "a10@uni.example"})
    assert page.status_code == 429
    assert "Too many sign-in requests came from your connection" in page.content.decode()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_with_smtp_down_the_sign_in_page_answers_and_the_email_waits(
    client: Client, settings
) -> None:
    user_ensure(email="coord@uni.example", role="trainer")
    trainee()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port(), 2
    for email in ("coord@uni.example", "ada@uni.example"):
        response = client.post("/login/", {"email": email})
        assert response.status_code == 200
        assert "Check your email" in response.content.decode()
    report = send_due()
    assert report.sent == 0
    assert set(Message.objects.values_list("kind", "status")) == {
        ("login_link", MessageStatus.PENDING),
        ("trainee_sign_in", MessageStatus.PENDING),
    }
    assert all(m.attempts == 1 for m in Message.objects.all())


def test_certificate_verification_is_limited_per_client(client: Client, settings) -> None:
    settings.LECTERN = {**settings.LECTERN, "VERIFY_PER_CLIENT_PER_MINUTE": 3}
    api = ApiClient(client)
    for n in range(3):  # the last that passes: unknown numbers count too
        assert api.get(f"/verify/LC-{n}").status_code == 404
    limited = api.get("/verify/LC-9")
    assert (limited.status_code, limited.json()["error"]["code"]) == (429, "rate_limited")
    assert 0 < int(limited["Retry-After"]) <= 60
    page = client.get("/verify/LC-9/")
    assert page.status_code == 429
    assert "Too many certificates were looked up" in page.content.decode()
    assert Client(REMOTE_ADDR="10.4.0.1").get("/verify/LC-9/").status_code == 404
