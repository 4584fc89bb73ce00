"""Requests no view could read safely are refused before any view: bodies past the size
limit, and NUL characters (which PostgreSQL cannot store)."""

from __future__ import annotations

import json

import pytest

from lectern.memberships.models import Organization

TOO_LARGE = 3_000_000  # bytes; Django's DATA_UPLOAD_MAX_MEMORY_SIZE is 2.5 MB

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/notifications?email=a%00b",
        "/events?status=%00",
        "/memberships?page=1&x=%00",
    ],
)
def test_a_nul_in_a_query_is_a_422_in_the_error_shape(staff_api, path) -> None:
    response = staff_api.get(path)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    assert "NUL" in response.json()["error"]["message"]


def test_a_nul_in_a_json_body_is_refused_and_nothing_is_written(staff_api) -> None:
    response = staff_api.post("/organizations", {"name": "A\x00B", "country": "GB"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"
    assert not Organization.objects.exists()
    # The same text without the NUL goes through.
    assert staff_api.post("/organizations", {"name": "AB", "country": "GB"}).status_code == 201


def test_a_nul_in_a_page_form_or_query_is_a_400(client) -> None:
    form = "application/x-www-form-urlencoded"  # what a browser sends
    response = client.post("/login/", "email=a%00%40x.example", content_type=form)
    assert response.status_code == 400
    assert "NUL" in response.content.decode()
    assert client.get("/instructors/?q=%00").status_code == 400
    assert client.get("/instructors/?q=ana").status_code == 200


def test_a_body_past_the_size_limit_is_a_413_in_the_error_shape(staff_api) -> None:
    response = staff_api.client.post(
        "/api/v1/organizations",
        json.dumps({"name": "x" * TOO_LARGE, "country": "GB"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {staff_api.token}"},
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"
    assert "2.5 MB" in response.json()["error"]["message"]
    assert not Organization.objects.exists()


def test_a_form_past_the_size_limit_is_a_413(client) -> None:
    form = "application/x-www-form-urlencoded"
    response = client.post("/login/", "email=" + "a" * TOO_LARGE, content_type=form)
    assert response.status_code == 413
    assert "larger than 2.5 MB" in response.content.decode()
