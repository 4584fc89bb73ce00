"""Pages: the trainee signs up, changes and leaves from their personal page; the host sees
their sessions on the trainer page and the review queue, and records results on the
session's page; another trainer gets 404."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client

from lectern.checkout.models import Step

from .conftest import DEMO_START, SIGNUP_TIME, session, token_of

pytestmark = pytest.mark.django_db


def test_sign_up_change_and_leave_from_the_personal_page(
    client: Client, host: Any, trainees: Any
) -> None:
    trainee = trainees[0]
    first, second = session(host, day="2027-02-10"), session(host, day="2027-02-12")
    welcome = session(host, kind="welcome_session", day="2027-02-11", title="Welcome!")
    token = token_of(trainee)
    with time_machine.travel(SIGNUP_TIME, tick=False):
        page = client.get(f"/me/{token}/").content.decode()
        assert "Wed 10 Feb 2027, 15:00\u201316:00 CET (UTC+01:00)" in page
        assert "Welcome!" in page
        assert "https://meet.example/demo" not in page  # the link only once signed up
        signed = client.post(f"/me/{token}/checkout-sessions/{first.pk}/signup/")
        assert signed.status_code == 302
        assert signed["Location"].endswith("#sessions-teaching_demo")
        page = client.get(f"/me/{token}/").content.decode()
        assert "You are signed up" in page
        assert "https://meet.example/demo" in page
        assert "Change to this" in page
        client.post(f"/me/{token}/checkout-sessions/{second.pk}/signup/")
        first.refresh_from_db()
        second.refresh_from_db()
        assert (first.places_taken, second.places_taken) == (0, 1)
        client.post(f"/me/{token}/checkout-sessions/{second.pk}/leave/")
        second.refresh_from_db()
        assert second.places_taken == 0
        client.post(f"/me/{token}/checkout-sessions/{welcome.pk}/signup/")
        assert welcome.signups.count() == 1
        # another trainee's page says nothing of it; a wrong token is a 404
        other = client.get(f"/me/{token_of(trainees[1])}/").content.decode()
        assert 'class="signed-up"' not in other
        assert client.post(f"/me/lt_1_nope/checkout-sessions/{first.pk}/signup/").status_code == 404
    with time_machine.travel(DEMO_START, tick=False):
        late = client.post(f"/me/{token}/checkout-sessions/{first.pk}/signup/", follow=True)
        assert "has started" in late.content.decode()


def test_the_host_records_results_on_the_session_page(
    client: Client, host: Any, other_trainer: Any, trainees: Any
) -> None:
    demo = session(host)
    trainee = trainees[0]
    with time_machine.travel(SIGNUP_TIME, tick=False):
        client.post(f"/me/{token_of(trainee)}/checkout-sessions/{demo.pk}/signup/")
        client.force_login(host)
        trainer_page = client.get("/trainer/").content.decode()
        assert "Welcome sessions and teaching demos you host" in trainer_page
        assert f"/checkout-sessions/{demo.pk}/" in trainer_page
        early = client.get(f"/checkout-sessions/{demo.pk}/").content.decode()
        assert "Results are recorded once the session has started" in early
    with time_machine.travel(DEMO_START, tick=False):
        assert trainee.name in client.get("/review/").content.decode()  # a demo to record
        assert trainee.name in client.get("/trainer/").content.decode()
        saved = client.post(
            f"/checkout-sessions/{demo.pk}/",
            {f"result-{trainee.pk}": "passed", f"notes-{trainee.pk}": "Good"},
        )
        assert saved.status_code == 302
        assert Step.objects.get(checkout__trainee=trainee, requirement="teaching_demo").state == (
            "passed"
        )
        assert trainee.name not in client.get("/review/").content.decode()
        client.force_login(other_trainer)
        assert client.get(f"/checkout-sessions/{demo.pk}/").status_code == 404
        refused = client.post(f"/checkout-sessions/{demo.pk}/", {f"result-{trainee.pk}": "failed"})
        assert refused.status_code == 404
    assert (
        Step.objects.get(checkout__trainee=trainee, requirement="teaching_demo").state == "passed"
    )
