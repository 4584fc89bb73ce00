"""The back office: registering someone on their behalf (with the override reason when a
rule is overridden) and the history of each membership, event, registration and trainee."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from lectern.accounts.services import user_ensure
from lectern.core.permissions import Principal
from lectern.events import services as events
from lectern.events.deadlines import REGISTRATION_CUTOFF
from lectern.events.services import LocalTimes
from lectern.memberships import services as memberships
from lectern.registrations import services as registrations
from lectern.registrations.models import Registration
from tests.factories import membership

pytestmark = pytest.mark.django_db
SYSTEM = Principal.as_system()
NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def staff_client(client: Client) -> Client:
    with time_machine.travel(NOW, tick=False):
        client.force_login(user_ensure(email="staff@example.org", role="staff"))
    return client


@pytest.fixture
def setup(db: Any) -> dict[str, Any]:
    with time_machine.travel(NOW, tick=False):
        member = membership(tier="gold", start_date=date(2026, 10, 1))
        event = events.event_create(
            actor=SYSTEM,
            title="March training",
            timezone="UTC",
            sessions=[LocalTimes("2027-03-01T09:00", "2027-03-01T17:00")],
            capacity=5,
            min_enrolment=1,
        )
    return {"member": member, "event": event}


def on_behalf(client: Client, event: Any, member: Any, now: datetime, **extra: Any) -> Any:
    data = {
        "event": event.pk,
        "membership": member.pk,
        "name": "Ada Lovelace",
        "email": "ada@uni.example",
        "affiliation": "Uni",
        "country": "GB",
        "technologies": ["python"],
        "usage_frequency": "weekly",
        "carpentries_experience": ["none"],
        "accept_code_of_conduct": "on",
        "accept_privacy": "on",
        **extra,
    }
    with time_machine.travel(now, tick=False):
        client.force_login(user_ensure(email="staff@example.org", role="staff"))
        return client.post("/admin/registrations/registration/register/", data)


def test_staff_register_someone_and_override_a_closed_cutoff_with_a_reason(
    staff_client, setup
) -> None:
    event, member = setup["event"], setup["member"]
    with time_machine.travel(NOW, tick=False):
        form = staff_client.get(f"/admin/registrations/registration/register/?event={event.pk}")
        assert "Register someone on their behalf" in form.content.decode()
        assert "Registration code" not in form.content.decode()
    after_cutoff = REGISTRATION_CUTOFF.at(event)
    refused = on_behalf(staff_client, event, member, after_cutoff)
    assert refused.status_code == 200
    assert "Registration for this event closed" in refused.content.decode()
    assert not Registration.objects.exists()
    done = on_behalf(
        staff_client, event, member, after_cutoff, override_reason="Coordinator asked late"
    )
    assert done.status_code == 302
    registration = Registration.objects.get()
    assert (registration.status, registration.override_reason) == (
        "confirmed",
        "Coordinator asked late",
    )
    with time_machine.travel(after_cutoff, tick=False):
        staff_client.force_login(user_ensure(email="staff@example.org", role="staff"))
        page = staff_client.get(done["Location"]).content.decode()
    assert "registration created" in page
    assert "Coordinator asked late" in page
    assert "seat reserved +1" in page


def test_seats_are_never_overridden(staff_client, setup) -> None:
    small = membership(tier="custom", seats=0, start_date=date(2026, 10, 1))
    refused = on_behalf(staff_client, setup["event"], small, NOW, override_reason="please")
    assert "no training seats left" in refused.content.decode()


def test_history_on_membership_event_registration_and_trainee(staff_client, setup) -> None:
    event, member = setup["event"], setup["member"]
    with time_machine.travel(NOW, tick=False):
        memberships.seats_add(actor=SYSTEM, membership=member, delta=2, reason="Bought two")
        created = registrations.registration_create(
            actor=SYSTEM,
            event_id=event.pk,
            code=member.registration_code,
            details=registrations.TraineeDetails(
                name="Grace",
                email="grace@uni.example",
                affiliation="Uni",
                country="GB",
                technologies=["r"],
                usage_frequency="daily",
                carpentries_experience=["none"],
                accept_code_of_conduct=True,
                accept_privacy=True,
            ),
        )
        registrations.registration_withdraw(
            actor=SYSTEM, registration=created.registration, reason="Changed jobs"
        )
        registrations.event_cancel(actor=SYSTEM, event=event, reason="Trainer ill")
        pages = {
            "membership": f"/admin/memberships/membership/{member.pk}/change/",
            "event": f"/admin/events/event/{event.pk}/change/",
            "registration": f"/admin/registrations/registration/{created.registration.pk}/change/",
            "trainee": f"/admin/registrations/trainee/{created.registration.trainee_id}/change/",
        }
        text = {name: staff_client.get(path).content.decode() for name, path in pages.items()}
    for page in text.values():
        assert 'id="object-history"' in page
    assert "Bought two" in text["membership"]
    assert "seat released +1" in text["membership"]
    assert "Trainer ill" in text["event"]
    assert "Changed jobs" in text["registration"]
    assert "registration withdrawn" in text["trainee"]
    assert "Changed jobs" in text["trainee"]


def test_a_busy_objects_history_keeps_the_newest_entries(db, monkeypatch) -> None:
    from lectern.core import history
    from lectern.core.models import AuditEntry

    monkeypatch.setattr(history, "HISTORY_ROWS", 3)
    AuditEntry.objects.bulk_create(
        AuditEntry(
            at=datetime(2027, 1, day, tzinfo=UTC),
            actor_label="staff",
            action=f"step_{day}",
            object_type="membership",
            object_id=7,
        )
        for day in range(1, 6)
    )
    rows = history.audit_history([("membership", [7], "membership")])
    assert [row.what for row in rows] == ["step 5", "step 4", "step 3"]
