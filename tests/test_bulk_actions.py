"""Bulk actions of the back office: one form and one reason for many records, through the
services, with a preview that keeps nothing and refusals per item before and after."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client

from lectern.accounts.services import user_ensure
from lectern.checkout import services as checkout
from lectern.checkout.models import Checkout, Extension, Step
from lectern.core.models import AuditEntry
from lectern.core.permissions import Principal
from lectern.events import services as events
from lectern.events.services import LocalTimes
from lectern.notifications.models import Message
from lectern.registrations import services as registrations
from lectern.registrations.models import Registration
from lectern.registrations.tests.conftest import details
from tests.factories import membership

pytestmark = pytest.mark.django_db
SYSTEM = Principal.as_system()
NOW = datetime(2027, 2, 10, 12, 0, tzinfo=UTC)


def event(day: str, capacity: int = 45, **extra: Any) -> Any:
    return events.event_create(
        actor=SYSTEM,
        title=f"Training {day}",
        timezone="UTC",
        sessions=[LocalTimes(f"{day}T09:00", f"{day}T17:00")],
        capacity=capacity,
        min_enrolment=1,
        **extra,
    )


@pytest.fixture
def forty(db: Any) -> list[Registration]:
    """Forty trainees who passed a January training: forty open checkouts."""
    with time_machine.travel(datetime(2026, 12, 1, tzinfo=UTC), tick=False):
        member = membership(tier="custom", seats=60, start_date=date(2026, 10, 1))
        past = event("2027-01-20")
        found = [
            registrations.registration_create(
                actor=SYSTEM, event_id=past.pk, code=member.registration_code, details=details(n)
            ).registration
            for n in range(40)
        ]
    with time_machine.travel(datetime(2027, 1, 21, tzinfo=UTC), tick=False):
        checkout.attendance_record(
            actor=SYSTEM, event=past, records=[checkout.AttendanceRecord(r.pk, 0) for r in found]
        )
    return found


@pytest.fixture
def staff_client(client: Client) -> Client:
    with time_machine.travel(NOW, tick=False):
        client.force_login(user_ensure(email="staff@example.org", role="staff"))
    return client


def post(client: Client, path: str, action: str, ids: list[int], **data: Any) -> Any:
    with time_machine.travel(NOW, tick=False):
        return client.post(path, {"action": action, "_selected_action": ids, **data})


def test_forty_welcome_sessions_pass_in_one_action_with_a_confirmation(staff_client, forty):
    ids = list(Checkout.objects.values_list("pk", flat=True))
    assert len(ids) == 40
    path = "/admin/checkout/checkout/"
    form = post(staff_client, path, "evaluate_step", ids)
    assert form.status_code == 200
    assert "40 selected" in form.content.decode()
    assert "Welcome session: not started" in form.content.decode()
    fields = {"requirement": "welcome_session", "state": "passed", "reason": "Welcome, 9 Feb"}
    preview = post(staff_client, path, "evaluate_step", ids, bulk_step="preview", **fields)
    assert "40 would change" in preview.content.decode()
    assert not Step.objects.filter(requirement="welcome_session", state="passed").exists()
    assert not AuditEntry.objects.filter(action="checkout_progress").exists()
    done = post(staff_client, path, "evaluate_step", ids, bulk_step="apply", **fields)
    text = done.content.decode()
    assert "Done: 40 changed" in text
    assert "Welcome session: passed" in text
    assert Step.objects.filter(requirement="welcome_session", state="passed").count() == 40
    audited = AuditEntry.objects.filter(action="checkout_progress")
    assert audited.count() == 40
    assert set(audited.values_list("reason", flat=True)) == {"Welcome, 9 Feb"}


def test_extensions_in_bulk_with_refusals_per_item(staff_client, forty) -> None:
    chosen = list(Checkout.objects.order_by("pk")[:3])
    with time_machine.travel(NOW, tick=False):
        for requirement in ("welcome_session", "get_involved", "teaching_demo"):
            checkout.progress_record(
                actor=SYSTEM, trainee=chosen[0].trainee, requirement=requirement, state="passed"
            )
    ids = [c.pk for c in chosen]
    path = "/admin/checkout/checkout/"
    missing = post(staff_client, path, "grant_extension", ids, bulk_step="apply")
    assert "This field is required" in missing.content.decode()
    preview = post(
        staff_client, path, "grant_extension", ids, bulk_step="preview", reason="Parental leave"
    )
    assert "2 would change, 1 would be refused" in preview.content.decode()
    assert "already_certified" in preview.content.decode()
    assert not Extension.objects.exists()
    done = post(staff_client, path, "grant_extension", ids, bulk_step="apply", reason="Leave")
    assert "Done: 2 changed</strong>, <strong>1 refused" in done.content.decode()
    assert Extension.objects.count() == 2
    assert set(Extension.objects.values_list("reason", flat=True)) == {"Leave"}


def test_move_and_resend_in_bulk(staff_client) -> None:
    with time_machine.travel(datetime(2027, 1, 10, tzinfo=UTC), tick=False):
        member = membership(tier="gold", start_date=date(2026, 10, 1))
        source, target, small = event("2027-03-01"), event("2027-03-15"), event("2027-03-20", 1)
        moved = [
            registrations.registration_create(
                actor=SYSTEM, event_id=source.pk, code=member.registration_code, details=details(n)
            ).registration
            for n in range(3)
        ]
    ids = [r.pk for r in moved]
    path = "/admin/registrations/registration/"
    form = post(staff_client, path, "move_registrations", ids)
    assert f"Training 2027-03-15, 15 Mar 2027 (UTC): 45 places left, open [#{target.pk}]" in (
        form.content.decode()
    )
    full = post(
        staff_client,
        path,
        "move_registrations",
        ids,
        bulk_step="apply",
        event=small.pk,
        reason="Merging groups",
    )
    assert "Done: 1 changed</strong>, <strong>2 refused" in full.content.decode()
    assert "event_full" in full.content.decode()
    left = list(Registration.objects.filter(event=source).values_list("pk", flat=True))
    assert len(left) == 2
    done = post(
        staff_client,
        path,
        "move_registrations",
        left,
        bulk_step="apply",
        event=target.pk,
        reason="Merging groups",
    )
    assert "Done: 2 changed" in done.content.decode()
    assert set(Registration.objects.values_list("event_id", flat=True)) == {small.pk, target.pk}
    assert AuditEntry.objects.filter(action="registration_moved", reason="Merging groups").count()
    before = Message.objects.filter(kind="registration_confirmed").count()
    resent = post(staff_client, path, "resend_emails", ids, bulk_step="apply", reason="lost")
    assert "Done: 3 changed" in resent.content.decode()
    assert Message.objects.filter(kind="registration_confirmed").count() == before + 3
    assert AuditEntry.objects.filter(action="email_resent").count() == 3
