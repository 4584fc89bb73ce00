"""Every page carries a Content-Security-Policy, and the pages keep working under it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from lectern.accounts.services import user_ensure
from lectern.core.middleware import ADMIN_POLICY, PAGE_POLICY
from lectern.registrations.tests.conftest import make_event

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[1] / "src" / "lectern"


@pytest.fixture
def event(db: Any) -> Any:
    return make_event()


def policy(response: Any) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.strip() for d in header.split(";")}


def test_public_pages_carry_the_policy(client: Client, event: Any) -> None:
    for path in (
        "/",
        "/calendar/",
        f"/events/{event.pk}/",
        f"/events/{event.pk}/register/",
        "/instructors/",
        "/verify/LC-NOPE/",
        "/login/",
        "/no-such-page/",
    ):
        response = client.get(path)
        assert response.get("Content-Type", "").startswith("text/html"), path
        assert response["Content-Security-Policy"] == PAGE_POLICY, path
        directives = policy(response)
        assert directives["script-src"] == "script-src 'self'"
        assert directives["frame-ancestors"] == "frame-ancestors 'none'"
        assert directives["object-src"] == "object-src 'none'"


def test_signed_in_pages_carry_the_policy(client: Client, event: Any) -> None:
    client.force_login(user_ensure(email="staff@x.example", role="staff"))
    for path in ("/review/", "/staff/dashboard/", f"/events/{event.pk}/roster/", "/trainer/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Security-Policy"] == PAGE_POLICY, path


def test_the_admin_change_form_loads_under_its_policy(client: Client, event: Any) -> None:
    client.force_login(user_ensure(email="staff@x.example", role="staff"))
    for path in ("/admin/", f"/admin/events/event/{event.pk}/change/", "/admin/login/"):
        response = client.get(path, follow=True)
        assert response.status_code == 200, path
        assert response["Content-Security-Policy"] == ADMIN_POLICY, path
    page = client.get(f"/admin/events/event/{event.pk}/change/", follow=True).content.decode()
    # its scripts are files (allowed by 'self'); no inline script would run
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", page)
    assert "script-src 'self';" in ADMIN_POLICY


def test_json_and_files_are_left_alone(client: Client) -> None:
    response = client.get("/api/v1/health")
    assert "Content-Security-Policy" not in response


def test_page_templates_hold_no_inline_script_or_style() -> None:
    """Under `script-src 'self'; style-src 'self'` an inline script, handler or style attribute
    would silently stop working; they belong in static files."""
    offenders = []
    for template in TEMPLATES.rglob("templates/**/*.html"):
        relative = template.relative_to(TEMPLATES).as_posix()
        if "/admin/" in relative or "notifications/" in relative:  # admin policy; emails
            continue
        text = template.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(
            r"""\s(style|on[a-z]+)\s*=\s*["']""", text
        ):
            offenders.append(relative)
    assert offenders == []
