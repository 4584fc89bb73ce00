"""The roster, the review queue, the trainee's checkout on the manage page, the dashboard."""

from __future__ import annotations

import io
import re
from datetime import date

import pypdf
import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from lectern.accounts.services import user_ensure
from lectern.certificates.models import Certificate
from lectern.checkout.models import Step
from lectern.registrations.tokens import trainee_token

from .conftest import AFTER, past_event, registered

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def after_the_event():
    """Pages are used after the event; sign-ins happen then too."""
    with time_machine.travel(AFTER, tick=False):
        yield


@pytest.fixture
def trainer_client(db):
    client = Client()
    trainer = user_ensure(email="tess@example.org", role="trainer", name="Tess")
    client.force_login(trainer)
    return client, trainer


def test_roster_records_thirty_trainees_at_once(trainer_client, member) -> None:
    from tests.factories import membership

    client, trainer = trainer_client
    event = past_event(trainer_ids=[trainer.pk], capacity=30)
    big = membership(tier="custom", seats=40, start_date=date(2026, 10, 1))
    registrations = [registered(event, big, n) for n in range(30)]
    first, second = event.sessions.all()
    data = {f"missed-{r.pk}-{s.pk}": "0" for r in registrations for s in (first, second)}
    data[f"missed-{registrations[0].pk}-{first.pk}"] = "61"
    data[f"absent-{registrations[1].pk}-{first.pk}"] = "on"
    data[f"absent-{registrations[1].pk}-{second.pk}"] = "on"
    page = client.get(f"/events/{event.pk}/roster/").content.decode()
    assert page.count('type="number"') == 60
    client.post(f"/events/{event.pk}/roster/", data)
    statuses = [r.__class__.objects.get(pk=r.pk).status for r in registrations]
    assert statuses.count("attended") == 28
    assert statuses[:2] == ["failed", "failed"]
    event.refresh_from_db()
    assert event.status == "completed"
    other_trainer = Client()
    other_trainer.force_login(user_ensure(email="other@example.org", role="trainer"))
    assert other_trainer.get(f"/events/{event.pk}/roster/").status_code == 404


def test_submit_review_certify_download_and_verify(trainer_client, staff_user, member) -> None:
    client, trainer = trainer_client
    event = past_event(trainer_ids=[trainer.pk])
    registration = registered(event, member, 0)
    token = trainee_token(registration.trainee_id, registration.trainee.link_nonce)
    staff = Client()
    staff.force_login(staff_user)
    client.post(
        f"/events/{event.pk}/roster/",
        {f"missed-{registration.pk}-{s.pk}": "0" for s in event.sessions.all()},
    )
    registration.refresh_from_db()
    assert registration.status == "attended", registration.status
    trainee = Client()
    page = trainee.get(f"/me/{token}/").content.decode()
    assert "Finish every step by" in page, page[page.find("<main") :][:1500]
    for requirement, extra in [
        ("welcome_session", {"date": "2027-01-31"}),
        (
            "get_involved",
            {"kind": "served", "date": "2027-01-31", "url": "https://uni.example/workshop"},
        ),
        ("teaching_demo", {"date": "2027-01-31"}),
    ]:
        trainee.post(f"/me/{token}/checkout/", {"requirement": requirement, **extra})
    assert Step.objects.filter(state="submitted").count() == 3
    trainer_view = client.get("/review/").content.decode()
    assert "Teaching demo" in trainer_view
    assert "Get involved" not in trainer_view  # trainers review teaching demos only
    for step in Step.objects.all():
        who = client if step.requirement == "teaching_demo" else staff
        who.post("/review/", {"step_id": step.pk, "state": "passed"})
    certificate = Certificate.objects.get()
    page = trainee.get(f"/me/{token}/").content.decode()
    assert "You are a certified instructor" in page
    pdf = trainee.get(f"/me/{token}/certificate.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert certificate.number in text
    verify = Client().get(f"/verify/{certificate.number}/").content.decode()
    assert "Valid." in verify
    assert Client().get("/verify/NOPE/").status_code == 404


def test_evidence_errors_are_explained_on_the_page(staff, member) -> None:
    from lectern.checkout.services import AttendanceRecord, attendance_record

    event = past_event()
    registration = registered(event, member, 0)
    attendance_record(
        actor=staff, event=event, now=AFTER, records=[AttendanceRecord(registration.pk, 0)]
    )
    token = trainee_token(registration.trainee_id, registration.trainee.link_nonce)
    trainee = Client()
    response = trainee.post(
        f"/me/{token}/checkout/",
        {
            "requirement": "get_involved",
            "kind": "github",
            "date": "2027-01-20",
            "url": "https://github.com/me/x",
        },
        follow=True,
    )
    assert "Give a github.com repository of one of" in response.content.decode()


def test_dashboard_shows_pipeline_risk_and_forecast(staff_user, member) -> None:
    from lectern.core.permissions import Principal
    from lectern.events.services import LocalTimes, event_create

    staff = Client()
    staff.force_login(staff_user)
    event_create(
        actor=Principal.as_system(),
        title="Risky",
        timezone="UTC",
        sessions=[LocalTimes("2027-02-20T09:00", "2027-02-20T17:00")],
        capacity=20,
        min_enrolment=6,
    )
    page = staff.get("/staff/dashboard/").content.decode()
    assert "Risky" in page
    assert "Seats available on active memberships" in page
    assert re.search(r"<dd>5</dd>", page)  # the silver membership's seats
    assert "<svg" in page
    assert Client().get("/staff/dashboard/").status_code == 302


def test_certificates_render_all(staff, member, tmp_path, capsys) -> None:
    from lectern.checkout.services import AttendanceRecord, attendance_record
    from lectern.checkout.tests.test_checkout import pass_all

    event = past_event()
    registration = registered(event, member, 0)
    attendance_record(
        actor=staff, event=event, now=AFTER, records=[AttendanceRecord(registration.pk, 0)]
    )
    pass_all(staff, registration.trainee)
    call_command("certificates", "render", "--all", "--out", str(tmp_path))
    [pdf] = list(tmp_path.iterdir())
    assert pdf.name == f"{Certificate.objects.get().number}.pdf"
    assert "rendered 1 certificate(s)" in capsys.readouterr().out


def test_staff_reissue_revoke_and_extend_in_the_back_office(staff, staff_user, member) -> None:
    from lectern.checkout.models import Checkout
    from lectern.checkout.services import AttendanceRecord, attendance_record
    from lectern.checkout.tests.test_checkout import pass_all
    from lectern.core.models import AuditEntry

    event = past_event()
    first, second = registered(event, member, 0), registered(event, member, 1)
    attendance_record(
        actor=staff,
        event=event,
        now=AFTER,
        records=[AttendanceRecord(first.pk, 0), AttendanceRecord(second.pk, 0)],
    )
    pass_all(staff, first.trainee)
    certificate = Certificate.objects.get()
    trainee = first.trainee
    trainee.name = "Corrected Name"
    trainee.save()
    client = Client()
    client.force_login(staff_user)
    client.post(
        f"/admin/certificates/certificate/{certificate.pk}/reissue/", {"reason": "name correction"}
    )
    certificate.refresh_from_db()
    assert (certificate.name_on_certificate, certificate.number) == (
        "Corrected Name",
        certificate.number,
    )
    assert AuditEntry.objects.filter(action="certificate_reissued").exists()
    client.post(f"/admin/certificates/certificate/{certificate.pk}/revoke/", {"reason": "x"})
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    checkout = Checkout.objects.get(trainee=second.trainee)
    client.post(f"/admin/checkout/checkout/{checkout.pk}/extend/", {"reason": "ill"})
    checkout.refresh_from_db()
    assert checkout.deadline == date(2027, 8, 1)


@pytest.mark.parametrize("step_id", ["abc", "\u00b2", "9" * 30])
def test_review_refuses_a_step_that_is_not_a_number(staff_user, step_id) -> None:
    client = Client()
    client.force_login(staff_user)
    response = client.post("/review/", {"step_id": step_id, "state": "passed"}, follow=True)
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert "Choose a step to evaluate." in response.content.decode()


@pytest.mark.parametrize("minutes", ["\u00b2", "9" * 30, "-5", "x"])
def test_roster_refuses_minutes_that_are_not_a_number_of_minutes(trainer_client, member, minutes):
    client, trainer = trainer_client
    event = past_event(trainer_ids=[trainer.pk])
    registration = registered(event, member, 0)
    data = {f"missed-{registration.pk}-{s.pk}": "0" for s in event.sessions.all()}
    data[f"missed-{registration.pk}-{event.sessions.first().pk}"] = minutes
    response = client.post(f"/events/{event.pk}/roster/", data, follow=True)
    assert response.status_code == 200
    registration.refresh_from_db()
    assert registration.status == "confirmed"
