"""The membership endpoints of the API, with their refusals in the error shape."""

from __future__ import annotations

from typing import Any

import pytest

from lectern.accounts.models import ApiToken
from lectern.memberships.models import Membership, Organization

pytestmark = pytest.mark.django_db


def error_of(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]), body
    return body["error"]


@pytest.fixture
def org(staff_api) -> dict[str, Any]:
    response = staff_api.post("/organizations", {"name": "Uni of Here", "country": "nz"})
    assert response.status_code == 201, response.content
    return response.json()


def create_membership(staff_api, org_id: int, **extra: Any) -> Any:
    body = {"organization_id": org_id, "tier": "gold", "start_date": "2026-02-01", **extra}
    return staff_api.post("/memberships", body)


def test_health_and_openapi(anon_api) -> None:
    assert anon_api.get("/health").json() == {"status": "ok"}
    paths = anon_api.get("/openapi.json").json()["paths"]
    for path in [
        "/api/v1/organizations",
        "/api/v1/memberships/{membership_id}",
        "/api/v1/memberships/{membership_id}/ledger",
        "/api/v1/memberships/{membership_id}/rollover",
    ]:
        assert path in paths


def test_create_organization_and_membership(staff_api, org) -> None:
    assert org == {"id": org["id"], "name": "Uni of Here", "country": "NZ", "domains": []}
    response = create_membership(staff_api, org["id"])
    assert response.status_code == 201
    body = response.json()
    assert body["organization_id"] == org["id"]
    assert (body["tier"], body["start_date"], body["end_date"]) == (
        "gold",
        "2026-02-01",
        "2027-01-31",
    )
    assert body["seats"] == {
        "granted": 14,
        "reserved": 0,
        "used": 0,
        "rolled_out": 0,
        "available": 14,
    }
    assert len(body["registration_code"]) >= 10
    assert staff_api.get(f"/memberships/{body['id']}").json() == body


def test_seats_rollover_and_ledger(staff_api, org) -> None:
    m = create_membership(staff_api, org["id"], seats=4, end_date="2026-12-31").json()
    response = staff_api.post(f"/memberships/{m['id']}/seats", {"delta": 2, "reason": "bought"})
    assert response.status_code == 201
    assert response.json()["seats"]["granted"] == 6
    response = staff_api.post(f"/memberships/{m['id']}/rollover", {"seats": 5})
    assert response.status_code == 201
    successor = response.json()
    assert successor["start_date"] == "2027-01-01"
    assert successor["seats"]["granted"] == 14 + 5
    ledger = staff_api.get(f"/memberships/{m['id']}/ledger").json()
    assert ledger["count"] == 3
    assert [(e["kind"], e["delta"]) for e in ledger["items"]] == [
        ("granted", 4),
        ("granted", 2),
        ("rolled_out", 5),
    ]
    assert ledger["items"][1]["reason"] == "bought"
    assert ledger["items"][1]["actor"] == "staff@example.org"
    again = staff_api.post(f"/memberships/{m['id']}/rollover", {"seats": 1})
    assert (again.status_code, error_of(again)["code"]) == (409, "already_rolled_over")


def test_overdraw_refused_with_code(staff_api, org) -> None:
    m = create_membership(staff_api, org["id"], tier="silver").json()
    response = staff_api.post(f"/memberships/{m['id']}/seats", {"delta": -6, "reason": "oops"})
    assert (response.status_code, error_of(response)["code"]) == (409, "no_seats_left")
    response = staff_api.post(
        f"/memberships/{m['id']}/seats", {"delta": -6, "reason": "agreed", "allow_overdraw": True}
    )
    assert response.json()["seats"]["available"] == -1


def test_extend(staff_api, org) -> None:
    m = create_membership(staff_api, org["id"]).json()
    response = staff_api.post(
        f"/memberships/{m['id']}/extend", {"end_date": "2027-04-30", "reason": "late start"}
    )
    assert response.status_code == 200
    assert response.json()["end_date"] == "2027-04-30"
    assert response.json()["warnings"]


class TestCoordinators:
    def test_read_their_membership_and_ledger_but_not_another(self, staff_api, api_as, org) -> None:
        mine = create_membership(staff_api, org["id"]).json()
        other = create_membership(staff_api, org["id"]).json()
        response = staff_api.post(
            f"/memberships/{mine['id']}/contacts",
            {"email": "Coord@Uni.example", "name": "Co Ord", "role": "coordinator"},
        )
        assert response.status_code == 201
        assert response.json()["email"] == "coord@uni.example"
        coordinator = api_as("coord@uni.example", "coordinator")
        assert coordinator.get(f"/memberships/{mine['id']}").json()["id"] == mine["id"]
        assert coordinator.get(f"/memberships/{mine['id']}/ledger").status_code == 200
        for path in [f"/memberships/{other['id']}", f"/memberships/{other['id']}/ledger"]:
            response = coordinator.get(path)
            assert (response.status_code, error_of(response)["code"]) == (404, "not_found")
        assert [m["id"] for m in coordinator.get("/memberships").json()["items"]] == [mine["id"]]

    def test_may_not_change_seats(self, staff_api, api_as, org) -> None:
        mine = create_membership(staff_api, org["id"]).json()
        staff_api.post(
            f"/memberships/{mine['id']}/contacts",
            {"email": "c@uni.example", "name": "C", "role": "coordinator"},
        )
        coordinator = api_as("c@uni.example")
        response = coordinator.post(f"/memberships/{mine['id']}/seats", {"delta": 9, "reason": "x"})
        assert (response.status_code, error_of(response)["code"]) == (403, "forbidden")
        response = coordinator.post("/organizations", {"name": "Mine", "country": "GB"})
        assert response.status_code == 403


class TestTokens:
    def test_missing_token(self, anon_api) -> None:
        response = anon_api.post("/organizations", {"name": "X", "country": "GB"})
        assert (response.status_code, error_of(response)["code"]) == (401, "unauthenticated")
        assert anon_api.get("/memberships/1").status_code == 401

    def test_wrong_token(self, client) -> None:
        from conftest import ApiClient

        for token in ["lt_not-a-real-token", "garbage"]:
            response = ApiClient(client, token).get("/memberships")
            assert (response.status_code, error_of(response)["code"]) == (401, "invalid_token")
        response = client.get("/api/v1/memberships", headers={"Authorization": "Basic abc"})
        assert response.status_code == 401

    def test_revoked_token(self, staff_api) -> None:
        assert staff_api.get("/memberships").status_code == 200
        token = ApiToken.objects.get()
        assert token.last_used_at is not None
        from lectern.accounts.services import token_revoke

        token_revoke(token=token)
        response = staff_api.get("/memberships")
        assert (response.status_code, error_of(response)["code"]) == (401, "invalid_token")


class TestBadInput:
    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"start_date": "2026-02-30"}, "start_date"),
            ({"start_date": "yesterday"}, "start_date"),
            ({"end_date": "2025-01-01"}, "end_date"),
            ({"tier": "diamond"}, "tier"),
            ({"seats": -1}, "seats"),
            ({"seats": "many"}, "seats"),
            ({"organization_id": 999999}, "organization_id"),
            ({"organization_id": "one"}, "organization_id"),
            ({"registration_code": "short"}, "registration_code"),
            ({"consortium_organization_ids": [424242]}, "consortium_organization_ids"),
        ],
    )
    def test_membership_fields(self, staff_api, org, change, field) -> None:
        response = create_membership(staff_api, org["id"], **change)
        assert response.status_code == 422, response.content
        error = error_of(response)
        assert error["code"] == "validation_error"
        assert field in error["fields"], error
        assert Membership.objects.count() == 0

    def test_duplicate_custom_code(self, staff_api, org) -> None:
        assert (
            create_membership(staff_api, org["id"], registration_code="TEAM-CODE-1").status_code
            == 201
        )
        response = create_membership(staff_api, org["id"], registration_code="team-code-1")
        assert response.status_code == 422
        assert error_of(response)["fields"] == {
            "registration_code": ["This code has been issued before."]
        }

    def test_missing_fields_are_listed(self, staff_api) -> None:
        response = staff_api.post("/memberships", {})
        error = error_of(response)
        assert response.status_code == 422
        assert {"organization_id", "tier", "start_date"} <= set(error["fields"])

    @pytest.mark.parametrize("raw", ["{not json", "", "[1, 2", "null", "42", '"text"'])
    def test_malformed_body(self, staff_api, raw) -> None:
        response = staff_api.post("/organizations", raw=raw)
        assert response.status_code in {400, 422}, response.content
        assert error_of(response)["code"] in {"invalid_json", "validation_error"}
        assert Organization.objects.count() == 0

    def test_bad_country_and_unknown_ids(self, staff_api, org) -> None:
        response = staff_api.post("/organizations", {"name": "X", "country": "XX"})
        assert error_of(response)["fields"] == {
            "country": ["'XX' is not an ISO 3166 country code (e.g. GB)."]
        }
        for path in [
            "/memberships/424242",
            "/memberships/424242/ledger",
            "/organizations/424242",
            "/no/such/endpoint",
        ]:
            response = staff_api.get(path)
            assert (response.status_code, error_of(response)["code"]) == (404, "not_found")
        response = staff_api.post("/memberships/424242/seats", {"delta": 1, "reason": "x"})
        assert response.status_code == 404
        response = staff_api.get("/memberships/abc")
        assert response.status_code in {404, 422}
        error_of(response)

    @pytest.mark.parametrize("page", ["0", "-1", "x", "1000001", "1370739364628565065728"])
    def test_a_page_out_of_range_is_refused(self, staff_api, page) -> None:
        for path in ["/notifications", "/memberships", "/events"]:
            response = staff_api.get(f"{path}?page={page}")
            assert response.status_code == 422, (path, response.content)
            assert "page" in error_of(response)["fields"]

    def test_the_last_page_allowed_is_empty(self, staff_api) -> None:
        response = staff_api.get("/notifications?page=1000000&page_size=500")
        assert (response.status_code, response.json()["items"]) == (200, [])

    def test_wrong_types_on_actions(self, staff_api, org) -> None:
        m = create_membership(staff_api, org["id"]).json()
        for body in [
            {"delta": "x", "reason": "r"},
            {"delta": 1},
            {"delta": 0, "reason": "r"},
            {"delta": 1.5, "reason": "r"},
            {"delta": 1, "reason": ""},
        ]:
            response = staff_api.post(f"/memberships/{m['id']}/seats", body)
            assert response.status_code == 422, (body, response.content)
            assert error_of(response)["code"] == "validation_error"
        response = staff_api.post(
            f"/memberships/{m['id']}/contacts", {"email": "x@y.z", "name": "N", "role": "boss"}
        )
        assert "role" in error_of(response)["fields"]


class TestIdempotency:
    def test_repeat_returns_the_first_response(self, staff_api, org) -> None:
        body = {"organization_id": org["id"], "tier": "silver", "start_date": "2026-02-01"}
        first = staff_api.post("/memberships", body, headers={"Idempotency-Key": "k-1"})
        again = staff_api.post("/memberships", body, headers={"Idempotency-Key": "k-1"})
        assert first.status_code == again.status_code == 201
        assert first.json() == again.json()
        assert again["Idempotent-Replayed"] == "true"
        assert Membership.objects.count() == 1

    def test_same_key_different_body_is_refused(self, staff_api, org) -> None:
        body = {"organization_id": org["id"], "tier": "silver", "start_date": "2026-02-01"}
        staff_api.post("/memberships", body, headers={"Idempotency-Key": "k-2"})
        response = staff_api.post(
            "/memberships", {**body, "tier": "gold"}, headers={"Idempotency-Key": "k-2"}
        )
        assert (response.status_code, error_of(response)["code"]) == (422, "idempotency_key_reused")
        assert Membership.objects.count() == 1


def test_pagination(staff_api, org) -> None:
    for _ in range(3):
        create_membership(staff_api, org["id"])
    page = staff_api.get("/memberships", page=2, page_size=2).json()
    assert page["count"] == 3
    assert len(page["items"]) == 1
