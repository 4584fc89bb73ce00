"""The trainer pool: staff add people in one form (a sign-in link by email), trainer
profiles, availability per quarter (API and page), and the staffing page."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from conftest import ApiClient
from lectern.accounts.models import User
from lectern.accounts.services import token_create
from lectern.core.permissions import Principal
from lectern.events import services as events
from lectern.events.services import LocalTimes
from lectern.notifications.models import Message
from lectern.trainers import services

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def trainer(email: str, name: str = "", languages: tuple[str, ...] = ("en",)) -> User:
    return services.trainer_add(
        actor=Principal.as_system(), email=email, name=name or email, languages=languages
    )


def event(day: str = "2027-03-04", *, days: int = 2, language: str = "en", **extra: Any) -> Any:
    from datetime import date, timedelta

    first = date.fromisoformat(day)
    sessions = [
        LocalTimes(f"{first + timedelta(days=i)}T09:00", f"{first + timedelta(days=i)}T17:00")
        for i in range(days)
    ]
    return events.event_create(
        actor=Principal.as_system(),
        title=extra.pop("title", "Training"),
        timezone="Pacific/Auckland",
        sessions=sessions,
        capacity=10,
        min_enrolment=1,
        language=language,
        **extra,
    )


def test_the_admin_add_user_page_shows_one_form_and_emails_a_sign_in_link(
    client: Client, staff_user: Any
) -> None:
    client.force_login(staff_user)
    page = client.get("/admin/accounts/user/add/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="email"' in html
    assert 'name="is_trainer"' in html
    assert "password1" not in html
    added = client.post(
        "/admin/accounts/user/add/",
        {"email": "New.Trainer@Uni.example", "name": "New Trainer", "is_trainer": "on"},
    )
    assert added.status_code == 302, added.content.decode()[:2000]
    user = User.objects.get(email="new.trainer@uni.example")
    assert user.is_trainer
    assert not user.is_staff
    assert added["Location"].startswith(f"/admin/accounts/user/{user.pk}/change/")
    link = Message.objects.get(kind="login_link", recipient=user.email)
    assert "/login/" in link.body_text
    again = client.post("/admin/accounts/user/add/", {"email": "new.trainer@UNI.example"})
    assert again.status_code == 200
    assert "exists already" in again.content.decode()


def test_staff_add_a_trainer_by_api_and_read_the_profile(staff_api: ApiClient) -> None:
    added = staff_api.post(
        "/trainers",
        {
            "email": "ana@t.example",
            "name": "Ana",
            "languages": ["es", "en"],
            "timezone": "America/Lima",
        },
    )
    assert added.status_code == 201, added.json()
    body = added.json()
    assert (body["languages"], body["timezone"]) == (["es", "en"], "America/Lima")
    assert Message.objects.filter(kind="login_link", recipient="ana@t.example").exists()
    assert (
        staff_api.post("/trainers", {"email": "b@t.example", "timezone": "Mars/Base"}).status_code
        == 422
    )
    taught = event(trainer_ids=[body["id"]])
    profile = staff_api.get(f"/trainers/{body['id']}").json()
    assert profile["events_taught"] == [taught.pk]


def test_a_trainer_sets_their_own_availability_and_nobody_elses(client: Client) -> None:
    ana, ben = trainer("ana@t.example"), trainer("ben@t.example")
    as_ana = ApiClient(client, token_create(user=ana))
    body = {"quarter": "2027-Q1", "days": ["2027-01-01", "2027-03-31"], "weeks": ["2027-03-01"]}
    saved = as_ana.put(f"/trainers/{ana.pk}/availability", body)
    assert saved.status_code == 200, saved.json()
    assert saved.json()["weeks"] == ["2027-03-01"]
    assert saved.json()["days"] == ["2027-01-01", "2027-03-31"]
    # the quarter's first and last days pass; the days around them do not
    for day in ("2026-12-31", "2027-04-01"):
        refused = as_ana.put(f"/trainers/{ana.pk}/availability", {**body, "days": [day]})
        assert refused.status_code == 422
        assert "days" in refused.json()["error"]["fields"]
    tuesday = as_ana.put(f"/trainers/{ana.pk}/availability", {**body, "weeks": ["2027-03-02"]})
    assert tuesday.status_code == 422
    assert as_ana.put(f"/trainers/{ben.pk}/availability", body).status_code == 404
    assert as_ana.get(f"/trainers/{ben.pk}").status_code == 404
    assert as_ana.get(f"/trainers/{ana.pk}/availability", quarter="2027-Q1").json()["days"] == [
        "2027-01-01",
        "2027-03-31",
    ]


def test_the_staffing_page_shows_events_short_of_two_and_who_is_available(
    client: Client, staff_user: Any
) -> None:
    ana = trainer("ana@t.example", "Ana Aldana")
    ben = trainer("ben@t.example", "Ben Brown")
    cai = trainer("cai@t.example", "Cai Chen", languages=("es",))
    dee = trainer("dee@t.example", "Dee Dale")
    staffed = event("2027-03-04", title="Fully staffed", trainer_ids=[ana.pk, ben.pk])
    short = event("2027-03-04", title="Needs a second", trainer_ids=[ana.pk])
    actor = Principal.as_system()
    # Ben: the whole week of the event; Cai too but Spanish only; Dee the first day only
    for person, weeks, days in (
        (ben, ["2027-03-01"], []),
        (cai, ["2027-03-01"], []),
        (dee, [], ["2027-03-04"]),
    ):
        from datetime import date

        services.availability_set(
            actor=actor,
            trainer=person,
            quarter="2027-Q1",
            weeks=[date.fromisoformat(w) for w in weeks],
            days=[date.fromisoformat(d) for d in days],
        )
    client.force_login(staff_user)
    page = client.get("/staff/staffing/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "1 upcoming event short of trainers" in html
    row = html[html.index(f'id="staffing-{short.pk}"') :].split("</tr>")[0]
    assert "short by 1" in row
    assert "Assign Ben Brown" in row
    assert "Cai Chen" not in row
    assert "Dee Dale" not in row
    staffed_row = html[html.index(f'id="staffing-{staffed.pk}"') :].split("</tr>")[0]
    assert "short by" not in staffed_row
    assigned = client.post("/staff/staffing/", {"event_id": short.pk, "trainer_id": ben.pk})
    assert assigned.status_code == 302
    assert set(short.trainers.values_list("email", flat=True)) == {"ana@t.example", "ben@t.example"}
    assert Message.objects.filter(
        kind="event_approaching_trainer", recipient="ben@t.example", object_id=short.pk
    ).exists()
    assert "upcoming event short" not in client.get("/staff/staffing/").content.decode()


def test_the_staffing_page_is_for_staff_only(client: Client) -> None:
    client.force_login(trainer("ana@t.example"))
    assert client.get("/staff/staffing/").status_code == 404


def test_the_trainer_page_has_the_availability_form_and_the_profile(client: Client) -> None:
    ana = trainer("ana@t.example", "Ana Aldana")
    client.force_login(ana)
    page = client.get("/trainer/?quarter=2027-Q1").content.decode()
    assert "When you can teach in 2027-Q1" in page
    assert "Week of 1 Mar" in page
    saved = client.post(
        f"/trainers/{ana.pk}/availability/",
        {"quarter": "2027-Q1", "weeks": ["2027-03-01"], "days": "2027-01-05", "next": "trainer"},
    )
    assert saved.status_code == 302
    page = client.get("/trainer/?quarter=2027-Q1").content.decode()
    assert 'value="2027-03-01" checked' in page
    assert 'value="2027-01-05"' in page
    bad = client.post(f"/trainers/{ana.pk}/availability/", {"quarter": "2027-Q1", "days": "5 Jan"})
    assert bad.status_code == 302
    profile = client.post(
        f"/trainers/{ana.pk}/",
        {"name": "Ana A.", "languages": "en, es", "timezone": "Europe/Madrid"},
    )
    assert profile.status_code == 302
    assert services.profile_of(ana).language_list == ["en", "es"]
