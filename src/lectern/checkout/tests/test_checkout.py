"""Attendance outcomes, checkout deadlines, extensions, reminders, expiry, certification."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta

import pypdf
import pytest

from lectern.certificates.models import Certificate
from lectern.certificates.services import certificate_pdf, certificate_revoke
from lectern.checkout import services
from lectern.checkout.models import Checkout, CheckoutStatus
from lectern.checkout.services import AttendanceRecord, EvidenceIn
from lectern.core.errors import DomainError
from lectern.core.permissions import Principal
from lectern.events.deadlines import checkout_reminder_at
from lectern.memberships.selectors import ledger_recount
from lectern.notifications.models import Message
from lectern.notifications.scheduler import tick

from .conftest import AFTER, past_event, registered

pytestmark = pytest.mark.django_db


def record(staff, event, *pairs, now=AFTER):
    return services.attendance_record(
        actor=staff,
        event=event,
        now=now,
        records=[AttendanceRecord(r.pk, minutes) for r, minutes in pairs],
    )


def test_sixty_minutes_missed_passes_sixty_one_fails_no_show_fails(staff, event, member) -> None:
    ok, late, absent = (registered(event, member, n) for n in range(3))
    results = record(staff, event, (ok, 60), (late, 61), (absent, 960))
    assert [r.status for r in results] == ["attended", "failed", "failed"]
    assert absent.outcome.no_show is True
    member.refresh_from_db()
    assert ledger_recount(member).as_dict() == {
        "granted": 5,
        "reserved": 0,
        "used": 3,
        "rolled_out": 0,
        "available": 2,
    }
    event.refresh_from_db()
    assert event.status == "completed"
    assert Checkout.objects.filter(trainee=ok.trainee).exists()
    assert not Checkout.objects.filter(trainee=late.trainee).exists()
    kinds = sorted(
        Message.objects.filter(kind="attendance_result").values_list("recipient", flat=True)
    )
    assert len(kinds) == 3


def test_attendance_per_session_and_corrections(staff, event, member) -> None:
    trainee = registered(event, member, 0)
    services.attendance_record(
        actor=staff,
        event=event,
        now=AFTER,
        records=[AttendanceRecord(trainee.pk, sessions={1: 30, 2: 31})],  # session indexes
    )
    trainee.refresh_from_db()
    assert (trainee.status, trainee.outcome.minutes_missed) == ("failed", 61)
    record(staff, event, (trainee, 15))  # a correction: the seat is not used twice
    trainee.refresh_from_db()
    assert trainee.status == "attended"
    member.refresh_from_db()
    assert ledger_recount(member).used == 1


def test_trainers_of_other_events_may_not_record(staff, event, member) -> None:
    from lectern.accounts.services import user_ensure

    outsider = Principal(user=user_ensure(email="t@example.org", role="trainer"))
    trainee = registered(event, member, 0)
    with pytest.raises(DomainError) as refused:
        record(outsider, event, (trainee, 0))
    assert refused.value.code == "not_found"


def test_deadline_across_a_month_end(staff, event, member) -> None:
    trainee = registered(event, member, 0)
    record(staff, event, (trainee, 0))
    checkout = Checkout.objects.get()
    assert checkout.deadline == date(2027, 5, 1)  # 31 January + 90 days


def test_deadline_in_a_far_east_zone(staff, member) -> None:
    # 2 March 09:00-17:00 in Tokyo ends at 08:00 UTC the same day; the end date is local.
    event = past_event(timezone="Asia/Tokyo", days=("2027-03-01", "2027-03-02"))
    trainee = registered(event, member, 0)
    record(staff, event, (trainee, 0), now=datetime(2027, 3, 2, 9, tzinfo=UTC))
    checkout = Checkout.objects.get()
    assert checkout.deadline == date(2027, 5, 31)
    assert services.deadline_passed_at(checkout) == datetime(2027, 5, 31, 15, 0, tzinfo=UTC)
    tick(now=datetime(2027, 5, 31, 14, 59, tzinfo=UTC))
    checkout.refresh_from_db()
    assert checkout.status == CheckoutStatus.IN_PROGRESS
    tick(now=datetime(2027, 5, 31, 15, 0, tzinfo=UTC))
    checkout.refresh_from_db()
    assert checkout.status == CheckoutStatus.EXPIRED
    assert list(Message.objects.filter(kind="checkout_expired").values_list("key", flat=True)) == [
        "20270531"
    ]


def test_extensions_in_blocks_up_to_the_ceiling(staff, event, member) -> None:
    trainee = registered(event, member, 0)
    record(staff, event, (trainee, 0))
    deadlines = []
    for _ in range(3):
        services.extension_grant(actor=staff, trainee=trainee.trainee, reason="busy term")
        deadlines.append(Checkout.objects.get().deadline)
    assert deadlines == [date(2027, 8, 1), date(2027, 11, 1), date(2028, 1, 31)]  # capped
    with pytest.raises(DomainError) as refused:
        services.extension_grant(actor=staff, trainee=trainee.trainee, reason="again")
    assert refused.value.code == "extension_ceiling"
    extension = Checkout.objects.get().extensions.first()
    assert (extension.granted_by_label, extension.reason) == ("staff@example.org", "busy term")


def test_reminders_thirty_and_seven_days_before_once_each(staff, event, member) -> None:
    trainee = registered(event, member, 0)
    record(staff, event, (trainee, 0))
    deadline = datetime(2027, 5, 1, 12, tzinfo=UTC)
    for moment in [
        deadline - timedelta(days=31),
        deadline - timedelta(days=30),
        deadline - timedelta(days=29),
        deadline - timedelta(days=7),
        deadline - timedelta(days=6),
    ]:
        tick(now=moment)
    keys = sorted(Message.objects.filter(kind="checkout_reminder").values_list("key", flat=True))
    assert keys == ["30d_20270501", "7d_20270501"]


def test_staff_find_the_reminders_by_their_kind(staff, staff_api, event, member) -> None:
    trainee = registered(event, member, 0)
    record(staff, event, (trainee, 0))
    # The reminders' instants: 30 and 7 calendar days before 1 May ends in New York.
    tick(now=datetime(2027, 4, 2, 4, tzinfo=UTC))
    tick(now=datetime(2027, 4, 25, 4, tzinfo=UTC))
    listing = staff_api.get("/notifications", kind="checkout_reminder").json()
    assert sorted((i["kind"], i["key"]) for i in listing["items"]) == [
        ("checkout_reminder", "30d_20270501"),
        ("checkout_reminder", "7d_20270501"),
    ]
    assert {i["to"] for i in listing["items"]} == {trainee.trainee.email}


def test_each_reminder_is_due_from_its_instant_on_not_a_second_before(staff, event, member) -> None:
    # The deadline day 1 May ends at 2 May 00:00 EDT (04:00Z); 30 and 7 calendar days
    # before, at the same local time.
    trainee = registered(event, member, 0)
    record(staff, event, (trainee, 0))
    checkout = Checkout.objects.get()
    thirty, seven = (datetime(2027, 4, 2, 4, tzinfo=UTC), datetime(2027, 4, 25, 4, tzinfo=UTC))
    assert checkout_reminder_at(checkout.deadline, "America/New_York", 30) == thirty
    assert checkout_reminder_at(checkout.deadline, "America/New_York", 7) == seven
    reminders = Message.objects.filter(kind="checkout_reminder")
    for due, key in [(thirty, "30d_20270501"), (seven, "7d_20270501")]:
        tick(now=due - timedelta(seconds=1), send=False)
        assert not reminders.filter(key=key).exists()
        tick(now=due, send=False)
        assert reminders.filter(key=key).count() == 1
    assert reminders.count() == 2


def test_the_ceiling_is_stated_from_its_setting(staff, event, member, settings) -> None:
    settings.LECTERN = {**settings.LECTERN, "CHECKOUT_CEILING_DAYS": 100}
    trainee = registered(event, member, 0)
    record(staff, event, (trainee, 0))
    services.extension_grant(actor=staff, trainee=trainee.trainee, reason="busy term")
    with pytest.raises(DomainError) as refused:
        services.extension_grant(actor=staff, trainee=trainee.trainee, reason="again")
    assert refused.value.code == "extension_ceiling"
    assert "11 May 2027, 100 days after the event's last day" in refused.value.message


def pass_all(staff, trainee, now=AFTER):
    for requirement in ["welcome_session", "get_involved", "teaching_demo"]:
        services.progress_record(
            actor=staff, trainee=trainee, requirement=requirement, state="passed", now=now
        )


def test_certified_exactly_once_when_the_last_step_passes(staff, event, member) -> None:
    registration = registered(event, member, 0)
    record(staff, event, (registration, 0))
    trainee = registration.trainee
    services.progress_record(
        actor=Principal.personal(registration.trainee_id),
        trainee=trainee,
        requirement="get_involved",
        state="submitted",
        now=AFTER,
        evidence=EvidenceIn(
            kind="github",
            date=date(2027, 1, 31),  # the training was on 30-31 January
            url="https://github.com/carpentries/instructor-training/pull/1",
        ),
    )
    assert not Certificate.objects.exists()
    pass_all(staff, trainee)
    certificate = Certificate.objects.get()
    assert Checkout.objects.get().status == CheckoutStatus.CERTIFIED
    with pytest.raises(DomainError) as refused:
        pass_all(staff, trainee)
    assert refused.value.code == "already_certified"
    assert Certificate.objects.count() == 1
    email = Message.objects.get(kind="certified")
    [attachment] = email.attachments.all()
    assert attachment.content_type == "application/pdf"
    text = pypdf.PdfReader(io.BytesIO(bytes(attachment.content))).pages[0].extract_text()
    assert trainee.name in text
    assert certificate.number in text


def test_evidence_is_checked_per_activity_type(staff, event, member) -> None:
    registration = registered(event, member, 0)
    record(staff, event, (registration, 0))
    as_trainee = Principal.personal(registration.trainee_id)
    cases = [
        (EvidenceIn(kind="served", date=date(2027, 1, 20)), "url"),
        (EvidenceIn(kind="meeting", date=date(2027, 1, 20)), "description"),
        (EvidenceIn(kind="github", date=date(2027, 1, 20), url="https://github.com/me/x"), "url"),
        (EvidenceIn(kind="other", date=date(2030, 1, 1), description="x"), "date"),
        (EvidenceIn(kind="dance"), "kind"),
    ]
    for evidence, field in cases:
        with pytest.raises(DomainError) as refused:
            services.progress_record(
                actor=as_trainee,
                trainee=registration.trainee,
                requirement="get_involved",
                state="submitted",
                evidence=evidence,
                now=AFTER,
            )
        assert field in refused.value.fields, (evidence, refused.value.fields)
    with pytest.raises(DomainError) as refused:
        services.progress_record(
            actor=as_trainee,
            trainee=registration.trainee,
            requirement="get_involved",
            state="passed",
            now=AFTER,
        )
    assert refused.value.code == "forbidden"


def test_pdf_reads_back_and_verification_follows_revocation(staff, event, member, anon_api) -> None:
    registration = registered(event, member, 0)
    record(staff, event, (registration, 0))
    pass_all(staff, registration.trainee)
    certificate = Certificate.objects.get()
    reader = pypdf.PdfReader(io.BytesIO(certificate_pdf(certificate)))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (792, 612)
    text = page.extract_text()
    assert "Trainee 0" in text
    assert f"/verify/{certificate.number}/" in text
    verified = anon_api.get(f"/verify/{certificate.number}").json()
    assert verified == {
        "number": certificate.number,
        "name": "Trainee 0",
        "awarded_on": certificate.awarded_on.isoformat(),
        "valid": True,
        "superseded": False,
        "superseded_by": None,
    }
    certificate_revoke(actor=staff, certificate=certificate, reason="misconduct")
    assert anon_api.get(f"/verify/{certificate.number}").json()["valid"] is False
    assert anon_api.get("/verify/LI-0000-NOPE").status_code == 404
