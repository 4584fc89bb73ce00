"""Fixtures shared by every test: callers with each role and an API client that speaks JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from lectern.accounts.services import token_create, user_ensure
from lectern.core.permissions import Principal


class ApiClient:
    """Call /api/v1 with an optional bearer token; JSON in, the response out."""

    def __init__(self, client: Client, token: str | None = None) -> None:
        self.client, self.token = client, token

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        return {**headers, **(extra or {})}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api/v1{path}", params, headers=self._headers(None))

    def post(
        self,
        path: str,
        body: Any = None,
        *,
        raw: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self.client.post(
            f"/api/v1{path}", data, content_type="application/json", headers=self._headers(headers)
        )

    def put(self, path: str, body: Any) -> Any:
        return self.client.put(
            f"/api/v1{path}",
            json.dumps(body),
            content_type="application/json",
            headers=self._headers(None),
        )

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(
            f"/api/v1{path}",
            json.dumps(body),
            content_type="application/json",
            headers=self._headers(None),
        )


@pytest.fixture
def system() -> Principal:
    return Principal.as_system()


@pytest.fixture
def staff_user(db: Any) -> Any:
    return user_ensure(email="staff@example.org", role="staff")


@pytest.fixture
def staff(staff_user: Any) -> Principal:
    return Principal(user=staff_user)


@pytest.fixture
def anon_api(client: Client) -> ApiClient:
    return ApiClient(client)


@pytest.fixture
def staff_api(client: Client, staff_user: Any) -> ApiClient:
    return ApiClient(client, token_create(user=staff_user))


@pytest.fixture
def api_as(client: Client, db: Any) -> Any:
    """Return an API client for a user with this email and role."""

    def make(email: str, role: Any = None) -> ApiClient:
        return ApiClient(Client(), token_create(user=user_ensure(email=email, role=role)))

    return make
