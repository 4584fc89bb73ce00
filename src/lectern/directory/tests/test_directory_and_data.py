"""The instructor directory, and personal data export and erasure."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from conftest import ApiClient
from lectern.checkout import services
from lectern.checkout.services import AttendanceRecord
from lectern.checkout.tests.conftest import AFTER, past_event, registered
from lectern.checkout.tests.test_checkout import pass_all
from lectern.registrations.tokens import trainee_token
from tests.factories import membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def certified(staff):
    from datetime import date

    member = membership(tier="silver", start_date=date(2026, 10, 1))
    event = past_event()
    registration = registered(event, member, 0)
    services.attendance_record(
        actor=staff, event=event, now=AFTER, records=[AttendanceRecord(registration.pk, 0)]
    )
    pass_all(staff, registration.trainee)
    return registration, member


def test_directory_lists_only_those_who_opted_in_and_drops_them_at_once(
    client: Client, certified
) -> None:
    registration, _ = certified
    api = ApiClient(client, trainee_token(registration.trainee_id, registration.trainee.link_nonce))
    anon = ApiClient(Client())
    assert anon.get("/instructors").json()["items"] == []
    response = api.patch(
        f"/trainees/{registration.trainee_id}/directory",
        {"directory_consent": True, "github": "@ada-l", "orcid": "0000-0002-1825-0097"},
    )
    assert response.status_code == 200
    [entry] = anon.get("/instructors").json()["items"]
    assert entry == {
        "name": "Trainee 0",
        "country": "NZ",
        "certified_on": entry["certified_on"],
        "github": "ada-l",
        "orcid": "0000-0002-1825-0097",
        "url": None,
    }
    assert "Trainee 0" in Client().get("/instructors/").content.decode()
    api.patch(f"/trainees/{registration.trainee_id}/directory", {"directory_consent": False})
    assert anon.get("/instructors").json()["items"] == []
    bad = api.patch(f"/trainees/{registration.trainee_id}/directory", {"orcid": "123"})
    assert bad.status_code == 422


def test_export_then_erase_keeps_the_ledger_true(client: Client, certified, capsys) -> None:
    registration, member = certified
    api = ApiClient(client, trainee_token(registration.trainee_id, registration.trainee.link_nonce))
    exported = api.get(f"/trainees/{registration.trainee_id}/export").json()
    assert exported["trainee"]["email"] == "trainee0@uni.example"
    assert exported["registrations"][0]["event_title"] == "January training"
    assert exported["checkout"]["status"] == "certified"
    assert any(e["kind"] == "certified" for e in exported["emails"])
    assert "manage_nonce" not in str(exported)
    assert api.post(f"/trainees/{registration.trainee_id}/erase", {}).json() == {
        "id": registration.trainee_id,
        "erased": True,
    }
    trainee = registration.trainee
    trainee.refresh_from_db()
    assert (trainee.name, trainee.affiliation) == ("Erased trainee", "")
    assert "trainee0@uni.example" not in str(
        ApiClient(client, trainee_token(registration.trainee_id, registration.trainee.link_nonce))
        .get(f"/trainees/{registration.trainee_id}/export")
        .json()
    )
    member.refresh_from_db()
    assert member.seats_used == 1
    call_command("check_seats")
    assert "ok:" in capsys.readouterr().out


def test_others_cannot_read_or_erase(client: Client, certified, api_as) -> None:
    registration, _ = certified
    assert (
        api_as("nosy@example.org", "coordinator")
        .get(f"/trainees/{registration.trainee_id}/export")
        .status_code
        == 404
    )
    assert (
        ApiClient(Client()).post(f"/trainees/{registration.trainee_id}/erase", {}).status_code
        == 401
    )
