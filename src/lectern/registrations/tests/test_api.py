"""Registration over HTTP: every refusal code in the error shape, manage links, rate limits."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.test import Client

from conftest import ApiClient
from lectern.core.permissions import Principal
from lectern.memberships import services as membership_services
from lectern.registrations.models import Registration
from tests.factories import membership

from .conftest import body, make_event

pytestmark = pytest.mark.django_db


def error(response: Any) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


def test_register_then_manage_with_the_token(anon_api, client, event, member) -> None:
    response = anon_api.post("/registrations", body(event.pk, member.registration_code))
    assert response.status_code == 201, response.content
    registration = response.json()
    assert set(registration) >= {
        "id",
        "event_id",
        "membership_id",
        "trainee_id",
        "status",
        "manage_token",
        "advisories",
    }
    assert (registration["status"], registration["membership_id"]) == ("confirmed", member.pk)
    trainee = ApiClient(client, registration["manage_token"])
    assert trainee.get(f"/registrations/{registration['id']}").json()["status"] == "confirmed"
    other = make_event(day="2027-04-01")
    moved = trainee.post(f"/registrations/{registration['id']}/move", {"event_id": other.pk})
    assert (moved.status_code, moved.json()["event_id"]) == (200, other.pk)
    withdrawn = trainee.post(f"/registrations/{registration['id']}/withdraw", {})
    assert withdrawn.json()["status"] == "withdrawn"
    again = trainee.post(f"/registrations/{registration['id']}/withdraw", {})
    assert error(again) == (409, "registration_not_active")


def test_every_refusal_code(anon_api, staff_api, event, member) -> None:
    code = member.registration_code
    assert error(anon_api.post("/registrations", {**body(event.pk, code), "technologies": []})) == (
        422,
        "validation_error",
    )
    assert error(
        anon_api.post("/registrations", {**body(event.pk, code), "accept_privacy": False})
    ) == (422, "validation_error")
    assert error(anon_api.post("/registrations", body(event.pk, "NOT-A-CODE1"))) == (
        404,
        "unknown_code",
    )
    assert anon_api.post("/registrations", body(event.pk, code, 0)).status_code == 201
    assert error(anon_api.post("/registrations", body(event.pk, code, 0))) == (
        409,
        "already_registered",
    )
    full = make_event(capacity=1)
    anon_api.post("/registrations", body(full.pk, code, 1))
    refused = anon_api.post("/registrations", body(full.pk, code, 2))
    assert error(refused) == (409, "event_full")
    assert "waiting list" in refused.json()["error"]["message"]
    closed = make_event(day="2027-01-14")
    assert error(anon_api.post("/registrations", body(closed.pk, code, 3))) == (
        409,
        "registration_closed",
    )
    cancelled = make_event()
    staff_api.post(f"/events/{cancelled.pk}/cancel", {"reason": "x"})
    assert error(anon_api.post("/registrations", body(cancelled.pk, code, 4))) == (
        409,
        "event_cancelled",
    )
    late = make_event(day="2027-12-01")
    assert error(anon_api.post("/registrations", body(late.pk, code, 5))) == (
        409,
        "membership_inactive",
    )
    for n in (6, 7, 8):
        assert anon_api.post("/registrations", body(event.pk, code, n)).status_code == 201
    assert error(anon_api.post("/registrations", body(event.pk, code, 9))) == (409, "no_seats_left")
    assert Registration.objects.filter(status="confirmed").count() == 5


def test_too_many_withdrawals_over_http(anon_api, client, event, member) -> None:
    for _ in range(4):
        created = anon_api.post("/registrations", body(event.pk, member.registration_code)).json()
        ApiClient(client, created["manage_token"]).post(
            f"/registrations/{created['id']}/withdraw", {}
        )
    refused = anon_api.post("/registrations", body(event.pk, member.registration_code))
    assert error(refused) == (409, "too_many_withdrawals")


def test_wrong_codes_are_rate_limited_per_address(client, event, member, settings) -> None:
    settings.LECTERN = {**settings.LECTERN, "CODE_ATTEMPTS_PER_CLIENT": 3}
    api = ApiClient(client)
    for _ in range(3):
        assert error(api.post("/registrations", body(event.pk, "GUESS-0001"))) == (
            404,
            "unknown_code",
        )
    limited = api.post("/registrations", body(event.pk, member.registration_code))
    assert error(limited) == (429, "rate_limited")
    assert 0 < int(limited["Retry-After"]) <= 600
    elsewhere = Client(REMOTE_ADDR="10.9.8.7")
    assert (
        ApiClient(elsewhere)
        .post("/registrations", body(event.pk, member.registration_code))
        .status_code
        == 201
    )


def test_right_codes_do_not_use_up_the_client_limit(client, event, member, settings) -> None:
    settings.LECTERN = {**settings.LECTERN, "CODE_ATTEMPTS_PER_CLIENT": 3}
    api = ApiClient(client)
    for n in range(2):
        assert error(api.post("/registrations", body(event.pk, "GUESS-0001", 10 + n)))[1] == (
            "unknown_code"
        )
    for n in range(3):
        assert (
            api.post("/registrations", body(event.pk, member.registration_code, n)).status_code
            == 201
        )
    # The third failure is the last one answered; the fourth attempt is refused.
    assert error(api.post("/registrations", body(event.pk, "GUESS-0001", 20)))[1] == "unknown_code"
    assert error(api.post("/registrations", body(event.pk, member.registration_code, 5))) == (
        429,
        "rate_limited",
    )


def wrong_codes_from(clients: int, event, per_client: int) -> Counter[tuple[int, str]]:
    answers: Counter[tuple[int, str]] = Counter()
    for n in range(clients):
        api = ApiClient(Client(REMOTE_ADDR=f"10.0.0.{n}"))
        for _ in range(per_client):
            answers[error(api.post("/registrations", body(event.pk, "GUESS-0001")))] += 1
    return answers


def test_others_guessing_never_refuse_a_fresh_client_a_right_code(event, member, settings) -> None:
    """Five clients each send ten wrong codes: the event's limit is passed, yet a client that
    has not failed there registers with the right code."""
    settings.LECTERN = {
        **settings.LECTERN,
        "CODE_ATTEMPTS_PER_EVENT": 50,
        "CODE_ATTEMPTS_PER_CLIENT": 20,
    }
    assert wrong_codes_from(5, event, per_client=10) == {(404, "unknown_code"): 50}
    # A client that failed there, though within its own limit, is now refused...
    failed = ApiClient(Client(REMOTE_ADDR="10.0.0.0"))
    assert error(failed.post("/registrations", body(event.pk, member.registration_code, 2))) == (
        429,
        "rate_limited",
    )
    fresh = ApiClient(Client(REMOTE_ADDR="10.0.0.99"))
    assert fresh.post("/registrations", body(event.pk, member.registration_code)).status_code == 201
    # ... and its wrong code is answered as wrong, not refused: it had not failed there.
    assert error(fresh.post("/registrations", body(event.pk, "GUESS-0002", 1))) == (
        404,
        "unknown_code",
    )


def test_the_event_limit_refuses_clients_that_failed_there(event, member, settings) -> None:
    settings.LECTERN = {**settings.LECTERN, "CODE_ATTEMPTS_PER_EVENT": 4}
    failed = ApiClient(Client(REMOTE_ADDR="10.0.1.1"))
    assert error(failed.post("/registrations", body(event.pk, "GUESS-0001"))) == (
        404,
        "unknown_code",
    )
    wrong_codes_from(2, event, per_client=1)  # 3 failures at the event: under its limit
    assert error(failed.post("/registrations", body(event.pk, "GUESS-0002"))) == (
        404,
        "unknown_code",
    )  # the 4th: the last one answered
    limited = failed.post("/registrations", body(event.pk, member.registration_code))
    assert error(limited) == (429, "rate_limited")
    assert "wrong registration codes" in limited.json()["error"]["message"]
    assert 0 < int(limited["Retry-After"]) <= 600
    # Another event is not affected.
    other = make_event(day="2027-04-14")
    assert (
        failed.post("/registrations", body(other.pk, member.registration_code)).status_code == 201
    )


def test_unknown_code_says_the_same_whatever_the_reason(anon_api, member) -> None:
    private = make_event(membership=None)
    from tests.factories import membership as make_membership

    other = make_membership()
    in_house = make_event(membership=other)
    wrong = anon_api.post("/registrations", body(private.pk, "NOPE-NOPE-1")).json()
    not_theirs = anon_api.post("/registrations", body(in_house.pk, member.registration_code)).json()
    assert wrong == not_theirs


def test_access_to_registrations(anon_api, api_as, client, staff_api, event, member, staff) -> None:
    created = anon_api.post("/registrations", body(event.pk, member.registration_code)).json()
    other = anon_api.post("/registrations", body(event.pk, member.registration_code, 1)).json()
    assert anon_api.get(f"/registrations/{created['id']}").status_code == 401
    as_other = ApiClient(client, other["manage_token"])
    assert error(as_other.get(f"/registrations/{created['id']}")) == (404, "not_found")
    coordinator = api_as("coord@uni.example")
    seen = coordinator.get(f"/registrations/{created['id']}").json()
    assert seen["manage_token"] is None
    listing = coordinator.get(f"/memberships/{member.pk}/registrations").json()
    assert {r["trainee_email"] for r in listing["items"]} == {
        "trainee0@uni.example",
        "trainee1@uni.example",
    }
    stranger = api_as("someone@else.example", "coordinator")
    assert stranger.get(f"/memberships/{member.pk}/registrations").status_code == 404
    assert staff_api.get(f"/registrations/{created['id']}").json()["manage_token"]
    bad = ApiClient(client, "lr_1_" + "0" * 40)
    assert error(bad.get(f"/registrations/{created['id']}")) == (401, "invalid_token")


def test_emergency_and_override_are_staff_only(anon_api, client, staff_api, event, member) -> None:
    created = anon_api.post("/registrations", body(event.pk, member.registration_code)).json()
    trainee = ApiClient(client, created["manage_token"])
    assert (
        trainee.post(f"/registrations/{created['id']}/emergency", {"reason": "me"}).status_code
        == 403
    )
    closed = make_event(day="2027-01-14")
    refused = anon_api.post(
        "/registrations", body(closed.pk, member.registration_code, 2, override_reason="please")
    )
    assert error(refused) == (403, "forbidden")
    done = staff_api.post(f"/registrations/{created['id']}/emergency", {"reason": "family"})
    assert (done.status_code, done.json()["status"]) == (200, "withdrawn")
    allowed = staff_api.post(
        "/registrations", body(closed.pk, member.registration_code, 2, override_reason="agreed")
    )
    assert allowed.status_code == 201


def test_waitlist_over_http(anon_api, event, member) -> None:
    full = make_event(capacity=1)
    anon_api.post("/registrations", body(full.pk, member.registration_code, 0))
    response = anon_api.post(
        f"/events/{full.pk}/waitlist", body(full.pk, member.registration_code, 1)
    )
    assert response.status_code == 201
    assert response.json() == {
        "id": response.json()["id"],
        "event_id": full.pk,
        "position": 1,
        "status": "waiting",
    }
    again = anon_api.post(f"/events/{full.pk}/waitlist", body(full.pk, member.registration_code, 1))
    assert error(again) == (409, "already_waiting")
    assert error(anon_api.post("/waitlist/accept", {"token": "nope"})) == (404, "offer_not_found")


def test_the_memberships_coordinator_moves_and_withdraws_its_registrations(
    anon_api, api_as, event, member
) -> None:
    for target, email in ((member, "coord@a.example"), (membership(tier="silver"), "c@b.example")):
        membership_services.contact_add(
            actor=Principal.as_system(),
            membership=target,
            email=email,
            name="C",
            role="coordinator",
        )
    created = anon_api.post("/registrations", body(event.pk, member.registration_code)).json()
    path = f"/registrations/{created['id']}"
    other = make_event(day="2027-04-01")
    stranger = api_as("c@b.example")
    assert error(stranger.post(f"{path}/withdraw", {})) == (404, "not_found")
    coordinator = api_as("coord@a.example")
    moved = coordinator.post(f"{path}/move", {"event_id": other.pk})
    assert (moved.status_code, moved.json()["event_id"]) == (200, other.pk), moved.content
    withdrawn = coordinator.post(f"{path}/withdraw", {})
    assert (withdrawn.status_code, withdrawn.json()["status"]) == (200, "withdrawn")
    member.refresh_from_db()
    assert member.seats_reserved == 0
