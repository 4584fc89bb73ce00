"""The sessions API: staff create and list; a trainee signs up and leaves with their token;
the host records results; the meeting link only to those signed up; who reads the trainee."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client

from conftest import ApiClient
from lectern.accounts.services import token_create

from .conftest import DEMO_START, SIGNUP_TIME, token_of

pytestmark = pytest.mark.django_db


def as_user(user: Any) -> ApiClient:
    return ApiClient(Client(), token_create(user=user))


def as_trainee(trainee: Any) -> ApiClient:
    return ApiClient(Client(), token_of(trainee))


def test_staff_create_a_session_in_its_zone(staff_api: ApiClient, host: Any) -> None:
    body = {
        "kind": "teaching_demo",
        "host_id": host.pk,
        "timezone": "America/New_York",
        "start": "2027-03-14T09:00",  # the day clocks go forward: 09:00 EDT = 13:00Z
        "end": "2027-03-14T10:00",
        "capacity": 3,
        "meeting_url": "https://meet.example/x",
    }
    with time_machine.travel(SIGNUP_TIME, tick=False):
        created = staff_api.post("/checkout-sessions", body)
        assert created.status_code == 201, created.json()
        assert created.json()["start"] == "2027-03-14T13:00:00Z"
        assert created.json()["local_start"] == "2027-03-14T09:00"
        assert staff_api.post("/checkout-sessions", {**body, "capacity": 0}).status_code == 422
        gap = staff_api.post("/checkout-sessions", {**body, "start": "2027-03-14T02:30"})
        assert gap.json()["error"]["fields"].keys() == {"start"}
        listed = staff_api.get("/checkout-sessions")
        assert listed.json()["count"] == 1


def test_only_a_trainer_hosts_a_demo(staff_api: ApiClient, api_as: Any) -> None:
    from lectern.accounts.services import user_ensure

    coordinator = user_ensure(email="c@x.example")
    body = {
        "kind": "teaching_demo",
        "host_id": coordinator.pk,
        "timezone": "UTC",
        "start": "2027-03-01T09:00",
        "end": "2027-03-01T10:00",
        "capacity": 3,
        "meeting_url": "https://meet.example/x",
    }
    response = staff_api.post("/checkout-sessions", body)
    assert response.status_code == 422
    assert "host_id" in response.json()["error"]["fields"]
    trainer_api = api_as("t@x.example", "trainer")
    assert trainer_api.post("/checkout-sessions", body).status_code == 403


def test_sign_up_pass_and_the_step_shows_passed_with_the_session(
    demo: Any, trainees: Any, host: Any, other_trainer: Any
) -> None:
    trainee = trainees[0]
    me, host_api, other = as_trainee(trainee), as_user(host), as_user(other_trainer)
    with time_machine.travel(SIGNUP_TIME, tick=False):
        before = me.get(f"/checkout-sessions/{demo.pk}").json()
        assert before["meeting_url"] is None  # not signed up yet
        signed = me.post(f"/checkout-sessions/{demo.pk}/signup", {})
        assert signed.status_code == 201, signed.json()
        assert signed.json()["status"] == "signed_up"
        after = me.get(f"/checkout-sessions/{demo.pk}").json()
        assert after["meeting_url"] == "https://meet.example/demo"
        assert (
            as_trainee(trainees[1]).get(f"/checkout-sessions/{demo.pk}").json()["meeting_url"]
            is None
        )
        # the host reads the trainee; another trainer neither reads them nor the session
        assert host_api.get(f"/trainees/{trainee.pk}").status_code == 200
        assert other.get(f"/trainees/{trainee.pk}").status_code == 404
        assert other.get(f"/checkout-sessions/{demo.pk}").status_code == 404
    with time_machine.travel(DEMO_START, tick=False):
        body = {"results": [{"trainee_id": trainee.pk, "result": "passed"}]}
        assert other.post(f"/checkout-sessions/{demo.pk}/results", body).status_code == 404
        refused = other.post(
            f"/trainees/{trainee.pk}/progress", {"requirement": "teaching_demo", "state": "passed"}
        )
        assert refused.status_code == 404
        recorded = host_api.post(f"/checkout-sessions/{demo.pk}/results", body)
        assert recorded.status_code == 200, recorded.json()
        assert recorded.json()[0]["status"] == "passed"
        assert recorded.json()[0]["evidence_id"] is not None
        shown = host_api.get(f"/trainees/{trainee.pk}").json()
        steps = {s["requirement"]: s for s in shown["checkout"]["steps"]}
        assert steps["teaching_demo"]["state"] == "passed"
        assert steps["teaching_demo"]["session_id"] == demo.pk
        assert (
            me.get(f"/trainees/{trainee.pk}").json()["checkout"]["steps"][2]["session_id"]
            == demo.pk
        )


def test_leave_with_the_token_and_refusals_in_the_error_shape(demo: Any, trainees: Any) -> None:
    me = as_trainee(trainees[0])
    with time_machine.travel(SIGNUP_TIME, tick=False):
        me.post(f"/checkout-sessions/{demo.pk}/signup", {})
        left = me.post(f"/checkout-sessions/{demo.pk}/leave", {})
        assert (left.status_code, left.json()["status"]) == (200, "left")
        again = me.post(f"/checkout-sessions/{demo.pk}/leave", {})
        assert (again.status_code, again.json()["error"]["code"]) == (409, "not_signed_up")
        for_other = me.post(f"/checkout-sessions/{demo.pk}/signup", {"trainee_id": trainees[1].pk})
        assert for_other.status_code == 404
    with time_machine.travel(DEMO_START, tick=False):
        late = me.post(f"/checkout-sessions/{demo.pk}/signup", {})
        assert (late.status_code, late.json()["error"]["code"]) == (409, "session_started")


def test_staff_sign_up_for_a_trainee_and_record_by_hand_with_a_reason(
    staff_api: ApiClient, demo: Any, trainees: Any
) -> None:
    trainee = trainees[0]
    with time_machine.travel(SIGNUP_TIME, tick=False):
        assert staff_api.post(f"/checkout-sessions/{demo.pk}/signup", {}).status_code == 422
        signed = staff_api.post(f"/checkout-sessions/{demo.pk}/signup", {"trainee_id": trainee.pk})
        assert signed.status_code == 201
        by_hand = staff_api.post(
            f"/trainees/{trainees[1].pk}/progress",
            {"requirement": "welcome_session", "state": "passed", "reason": "Attended in 2026"},
        )
        assert by_hand.status_code == 200
    from lectern.core.models import AuditEntry

    entry = AuditEntry.objects.filter(action="checkout_progress").latest("id")
    assert entry.reason == "Attended in 2026"


def test_who_may_call_the_session_endpoints(
    client: Client, demo: Any, trainees: Any, api_as: Any
) -> None:
    anonymous = ApiClient(client)
    assert anonymous.get("/checkout-sessions").status_code == 401
    assert anonymous.post(f"/checkout-sessions/{demo.pk}/signup", {}).status_code == 401
    coordinator = api_as("coord@x.example")
    assert coordinator.get("/checkout-sessions").json()["count"] == 0
    assert coordinator.get(f"/checkout-sessions/{demo.pk}").status_code == 404
    assert as_trainee(trainees[0]).get("/checkout-sessions").json()["count"] == 1
    openapi = anonymous.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/checkout-sessions",
        "/api/v1/checkout-sessions/{session_id}/signup",
        "/api/v1/checkout-sessions/{session_id}/leave",
        "/api/v1/checkout-sessions/{session_id}/results",
    ):
        assert path in openapi


def test_staff_cancel_a_session_and_it_refuses_what_follows(
    staff_api: ApiClient, demo: Any, trainees: Any
) -> None:
    me = as_trainee(trainees[0])
    url = f"/checkout-sessions/{demo.pk}/cancel"
    with time_machine.travel(SIGNUP_TIME, tick=False):
        me.post(f"/checkout-sessions/{demo.pk}/signup", {})
        blank = staff_api.post(url, {"reason": ""})
        assert (blank.status_code, list(blank.json()["error"]["fields"])) == (422, ["reason"])
        cancelled = staff_api.post(url, {"reason": "The host is ill"})
        assert cancelled.status_code == 200, cancelled.json()
        body = cancelled.json()
        assert (body["status"], body["cancel_reason"], body["places_left"]) == (
            "cancelled",
            "The host is ill",
            4,
        )
        assert body["cancelled_at"] == "2027-02-01T12:00:00Z"
        again = staff_api.post(url, {"reason": "Twice"})
        assert (again.status_code, again.json()["error"]["code"]) == (409, "session_cancelled")
        signup = me.post(f"/checkout-sessions/{demo.pk}/signup", {})
        assert (signup.status_code, signup.json()["error"]["code"]) == (409, "session_cancelled")
        signups = staff_api.get(f"/checkout-sessions/{demo.pk}/signups").json()
        assert [s["status"] for s in signups] == ["released"]
    with time_machine.travel(DEMO_START, tick=False):
        body = {"results": [{"trainee_id": trainees[0].pk, "result": "passed"}]}
        results = staff_api.post(f"/checkout-sessions/{demo.pk}/results", body)
        assert (results.status_code, results.json()["error"]["code"]) == (409, "session_cancelled")


def test_only_staff_cancel_others_get_401_403_or_404(
    client: Client, demo: Any, trainees: Any, host: Any, other_trainer: Any, api_as: Any
) -> None:
    url = f"/checkout-sessions/{demo.pk}/cancel"
    body = {"reason": "Not mine to cancel"}
    with time_machine.travel(SIGNUP_TIME, tick=False):
        assert ApiClient(client).post(url, body).status_code == 401
        assert api_as("coord@x.example").post(url, body).status_code == 404
        assert as_user(other_trainer).post(url, body).status_code == 404  # not their session
        assert as_user(host).post(url, body).status_code == 403  # the host sees it, staff cancel
        assert as_trainee(trainees[0]).post(url, body).status_code == 403
        assert (
            api_as("s@x.example", "staff")
            .post("/checkout-sessions/999999/cancel", body)
            .json()["error"]["code"]
            == "not_found"
        )
    demo.refresh_from_db()
    assert demo.status == "scheduled"
    openapi = ApiClient(client).get("/openapi.json").json()["paths"]
    assert "post" in openapi["/api/v1/checkout-sessions/{session_id}/cancel"]
