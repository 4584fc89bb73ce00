"""Staff merge two trainee records of one person: everything moves, the ledger adds up."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from lectern.checkout import services as checkout_services
from lectern.checkout.models import Checkout
from lectern.checkout.services import AttendanceRecord
from lectern.checkout.tests.conftest import AFTER, past_event, registered
from lectern.checkout.tests.test_checkout import pass_all
from lectern.core.models import AuditEntry
from lectern.registrations.models import Registration, Trainee
from tests.factories import membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return membership(tier="silver", start_date=date(2026, 10, 1))


def _error(response):
    return response.status_code, response.json()["error"]["code"]


def _seats_clean() -> str:
    out = StringIO()
    call_command("check_seats", stdout=out)
    return out.getvalue()


def test_merge_moves_registrations_checkout_certificate_and_history(
    staff, staff_api, member
) -> None:
    event = past_event()
    first = registered(event, member, 0)
    later = past_event(days=("2027-02-10", "2027-02-11"))
    checkout_services.attendance_record(
        actor=staff, event=event, now=AFTER, records=[AttendanceRecord(first.pk, 0)]
    )
    pass_all(staff, first.trainee)
    second = registered(later, member, 1)
    old, survivor = first.trainee, second.trainee
    response = staff_api.post(
        f"/trainees/{old.pk}/merge", {"into_trainee_id": survivor.pk, "reason": "same person"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == survivor.pk
    assert body["certificate_id"] is not None
    assert body["checkout"]["status"] == "certified"
    assert set(Registration.objects.values_list("trainee_id", flat=True)) == {survivor.pk}
    assert Checkout.objects.get().trainee_id == survivor.pk
    old.refresh_from_db()
    assert (old.merged_into_id, old.merged_at is not None) == (survivor.pk, True)
    assert old.email.endswith("@merged.invalid")
    entry = AuditEntry.objects.get(action="trainee_merged")
    assert (entry.object_id, entry.reason) == (survivor.pk, "same person")
    assert entry.data["merged_email"] == "trainee0@uni.example"
    assert "ok:" in _seats_clean()
    again = staff_api.post(
        f"/trainees/{old.pk}/merge", {"into_trainee_id": survivor.pk, "reason": "again"}
    )
    assert _error(again) == (409, "merge_conflict")
    into_merged = staff_api.post(
        f"/trainees/{survivor.pk}/merge", {"into_trainee_id": old.pk, "reason": "x"}
    )
    assert _error(into_merged) == (409, "merge_conflict")
    assert "already merged" in into_merged.json()["error"]["message"]


def test_refusals(staff_api, api_as, member) -> None:
    event = past_event()
    later = past_event(days=("2027-02-10", "2027-02-11"))
    a = registered(event, member, 0).trainee
    b = registered(later, member, 1).trainee
    url = f"/trainees/{a.pk}/merge"
    itself = staff_api.post(url, {"into_trainee_id": a.pk, "reason": "x"})
    assert _error(itself) == (409, "merge_conflict")
    assert "itself" in itself.json()["error"]["message"]
    both = staff_api.post(url, {"into_trainee_id": b.pk, "reason": "x"})
    assert _error(both) == (409, "merge_conflict")
    assert "Both records have a confirmed registration" in both.json()["error"]["message"]
    no_reason = staff_api.post(url, {"into_trainee_id": b.pk, "reason": "  "})
    assert no_reason.status_code == 422
    assert list(no_reason.json()["error"]["fields"]) == ["reason"]
    missing = staff_api.post(url, {"into_trainee_id": 999999, "reason": "x"})
    assert _error(missing) == (404, "not_found")
    coordinator = api_as("someone@uni.example")
    assert coordinator.post(url, {"into_trainee_id": b.pk, "reason": "x"}).status_code in (
        403,
        404,
    )
    Trainee.objects.filter(pk=b.pk).update(erased_at=AFTER)
    erased = staff_api.post(url, {"into_trainee_id": b.pk, "reason": "x"})
    assert _error(erased) == (409, "merge_conflict")
    assert Trainee.objects.filter(merged_into__isnull=False).count() == 0


def test_withdrawn_and_confirmed_merge_and_the_seat_ledger_adds_up(
    staff, staff_api, member
) -> None:
    from lectern.registrations import services as registration_services

    event = past_event(days=("2027-03-10", "2027-03-11"))
    later = past_event(days=("2027-04-10", "2027-04-11"))
    a = registered(event, member, 0)
    registration_services.registration_withdraw(actor=staff, registration=a, now=AFTER)
    b = registered(later, member, 1)
    response = staff_api.post(
        f"/trainees/{a.trainee_id}/merge", {"into_trainee_id": b.trainee_id, "reason": "dup"}
    )
    assert response.status_code == 200, response.content
    assert Registration.objects.filter(trainee_id=b.trainee_id).count() == 2
    assert "ok:" in _seats_clean()


def test_back_office_merge(client, staff_user, member) -> None:
    client.force_login(staff_user)
    admin_client = client
    event = past_event()
    a = registered(event, member, 0).trainee
    b = Trainee.objects.create(
        email="other@uni.example",
        name="T",
        affiliation="U",
        country="NZ",
        usage_frequency="weekly",
        created_at=AFTER,
    )
    page = admin_client.get(f"/admin/registrations/trainee/{a.pk}/change/").content.decode()
    assert f"/admin/registrations/trainee/{a.pk}/merge/" in page
    refused = admin_client.post(
        f"/admin/registrations/trainee/{a.pk}/merge/", {"into_trainee_id": a.pk, "reason": "x"}
    )
    assert "into itself" in refused.content.decode()
    done = admin_client.post(
        f"/admin/registrations/trainee/{a.pk}/merge/", {"into_trainee_id": b.pk, "reason": "dup"}
    )
    assert done.status_code == 302
    assert Registration.objects.get().trainee_id == b.pk
