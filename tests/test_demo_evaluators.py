"""Who evaluates a teaching demo, and which trainees a trainer reads (API and pages)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import time_machine
from django.test import Client

from lectern.accounts.services import token_create
from lectern.checkout.models import Step
from lectern.core.permissions import Principal
from lectern.events import services as events
from lectern.events.services import LocalTimes
from lectern.registrations import services as registrations
from lectern.registrations.tests.conftest import details
from tests import demo_world
from tests.factories import membership

pytestmark = pytest.mark.django_db
NOW = demo_world.NOW
world = demo_world.world  # the fixture


def demo(trainee: Any) -> Step:
    return Step.objects.get(checkout__trainee=trainee, requirement="teaching_demo")


def api(client: Client, user: Any, method: str, path: str, body: Any = None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user)}"}
    if method == "get":
        return client.get(f"/api/v1{path}", **headers)
    return client.post(f"/api/v1{path}", body, content_type="application/json", **headers)


def test_another_trainer_neither_reads_nor_passes_the_trainee(client: Client, world: Any) -> None:
    trainee, theirs = world["trainee"], world["theirs"]
    assert api(client, theirs, "get", f"/trainees/{trainee.pk}").status_code == 404
    response = api(
        client,
        theirs,
        "post",
        f"/trainees/{trainee.pk}/progress",
        {"requirement": "teaching_demo", "state": "passed"},
    )
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert demo(trainee).state == "submitted"


def test_another_trainer_cannot_pass_the_demo_from_the_review_queue(
    client: Client, world: Any
) -> None:
    trainee = world["trainee"]
    client.force_login(world["theirs"])
    page = client.get("/review/")
    assert page.status_code == 200
    assert trainee.name not in page.content.decode()
    response = client.post("/review/", {"step_id": demo(trainee).pk, "state": "passed"})
    assert response.status_code == 404
    assert demo(trainee).state == "submitted"
    assert not hasattr(type(trainee).objects.get(pk=trainee.pk), "certificate")


def test_the_trainer_of_the_event_passes_the_demo_and_certifies(client: Client, world: Any) -> None:
    trainee = world["trainee"]
    client.force_login(world["ours"])
    assert trainee.name in client.get("/review/").content.decode()
    client.post("/review/", {"step_id": demo(trainee).pk, "state": "passed"})
    assert demo(trainee).state == "passed"
    assert type(trainee).objects.get(pk=trainee.pk).certificate is not None


def test_the_trainer_of_the_event_reads_and_evaluates_over_the_api(
    client: Client, world: Any
) -> None:
    trainee, ours = world["trainee"], world["ours"]
    assert api(client, ours, "get", f"/trainees/{trainee.pk}").status_code == 200
    response = api(
        client,
        ours,
        "post",
        f"/trainees/{trainee.pk}/progress",
        {"requirement": "welcome_session", "state": "failed"},
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    response = api(
        client,
        ours,
        "post",
        f"/trainees/{trainee.pk}/progress",
        {"requirement": "teaching_demo", "state": "passed"},
    )
    assert response.status_code == 200
    assert response.json()["checkout"]["status"] == "certified"


def test_a_trainer_of_another_event_the_trainee_registered_for_cannot_evaluate(
    client: Client, world: Any, system: Principal
) -> None:
    """Reading a trainee of one's own event does not make one the evaluator of a demo for a
    training someone else taught."""
    trainee, theirs = world["trainee"], world["theirs"]
    with time_machine.travel(NOW, tick=False):
        other = events.event_create(
            actor=system,
            title="Later",
            timezone="UTC",
            sessions=[LocalTimes("2027-03-05T09:00", "2027-03-05T17:00")],
            capacity=10,
            min_enrolment=1,
            trainer_ids=[theirs.pk],
        )
        m = membership(tier="gold", start_date=date(2026, 10, 1))
        registrations.registration_create(
            actor=system, event_id=other.pk, code=m.registration_code, details=details(1)
        )
    assert api(client, theirs, "get", f"/trainees/{trainee.pk}").status_code == 200
    response = api(
        client,
        theirs,
        "post",
        f"/trainees/{trainee.pk}/progress",
        {"requirement": "teaching_demo", "state": "passed"},
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert demo(trainee).state == "submitted"
