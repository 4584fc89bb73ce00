"""Evidence links and dates: refused when stored, and never rendered as a script link."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.test import Client

from lectern.accounts.services import token_create, user_ensure
from lectern.checkout.models import Evidence, Step
from tests import demo_world

pytestmark = pytest.mark.django_db
NOW = demo_world.NOW
world = demo_world.world  # the fixture


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def submit(client: Client, trainee: Any, **body: Any) -> Any:
    """Submit evidence for a step (staff may submit on a trainee's behalf)."""
    token = token_create(user=user_ensure(email="staff@x.example", role="staff"))
    return client.post(
        f"/api/v1/trainees/{trainee.pk}/progress",
        {"state": "submitted", **body},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def reopen(trainee: Any) -> None:
    Step.objects.filter(checkout__trainee=trainee).update(state="not_started")


def refused_on(response: Any, field: str) -> None:
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"], error


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "https://",
        "https:///path",
        "http:example.org",
        "ftp://example.org/x",
        "https://exa mple.org/",
    ],
)
def test_the_teaching_demo_refuses_links_that_are_not_web_links(
    client: Client, world: Any, url: str
) -> None:
    trainee = world["trainee"]
    refused_on(submit(client, trainee, requirement="teaching_demo", url=url), "url")
    assert not Evidence.objects.filter(url__icontains=url.strip()[:8]).exists()


def test_the_teaching_demo_keeps_a_web_link(client: Client, world: Any) -> None:
    trainee = world["trainee"]
    response = submit(
        client, trainee, requirement="teaching_demo", url="https://video.example/demo"
    )
    assert response.status_code == 200
    assert Evidence.objects.filter(url="https://video.example/demo").exists()


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://github.com/carpentries/lesson-example", True),
        ("https://github.com/Carpentries/lesson-example/pull/1", True),
        ("https://github.com/carpentries/../../evil", False),
        ("https://github.com/carpentries/../evil/repo", False),
        ("https://github.com/carpentries/%2e%2e/evil/repo", False),
        ("https://github.com/carpentries/%2E%2E/%2e%2e/evil/repo", False),
        ("https://github.com/carpentries/.%2e/evil/repo", False),
        ("https://github.com/carpentries\\..\\evil/repo", False),
        ("https://github.com/./carpentries/lesson", True),
        ("https://github.com.evil.example/carpentries/x", False),
        ("https://github.com@evil.example/carpentries/x", False),
        ("https://github.com/carpentries", False),
    ],
)
def test_github_paths_are_resolved_before_the_organisation_check(
    client: Client, world: Any, url: str, ok: bool
) -> None:
    trainee = world["trainee"]
    reopen(trainee)
    response = submit(
        client, trainee, requirement="get_involved", kind="github", date="2027-01-08", url=url
    )
    if ok:
        assert response.status_code == 200, response.content
    else:
        refused_on(response, "url")


@pytest.mark.parametrize(
    ("day", "ok"),
    [("2027-01-04", False), ("2027-01-05", True), ("2027-01-10", True), ("2027-01-11", False)],
)
def test_evidence_dates_lie_between_the_training_and_today(
    client: Client, world: Any, day: str, ok: bool
) -> None:
    trainee = world["trainee"]
    reopen(trainee)
    for requirement, extra in (
        ("get_involved", {"kind": "meeting", "description": "Community call"}),
        ("teaching_demo", {}),
    ):
        response = submit(client, trainee, requirement=requirement, date=day, **extra)
        if ok:
            assert response.status_code == 200, response.content
        else:
            refused_on(response, "date")


def test_an_old_script_link_is_shown_as_text_not_as_a_link(client: Client, world: Any) -> None:
    trainee = world["trainee"]
    step = Step.objects.get(checkout__trainee=trainee, requirement="teaching_demo")
    Evidence.objects.create(step=step, url="javascript:alert(1)", submitted_at=NOW)
    Evidence.objects.create(step=step, url="https://video.example/ok", submitted_at=NOW)
    client.force_login(user_ensure(email="staff@x.example", role="staff"))
    page = client.get("/review/").content.decode()
    assert "javascript:alert(1)" in page  # shown, as text
    assert 'href="javascript' not in page.lower()
    assert 'href="https://video.example/ok"' in page
