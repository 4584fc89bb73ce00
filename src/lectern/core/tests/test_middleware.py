"""Requests carrying a NUL character are refused before they reach the database."""

from __future__ import annotations

import pytest

from lectern.memberships.models import Organization

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
