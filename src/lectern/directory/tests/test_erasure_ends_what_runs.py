"""Erasure ends what still runs and leaves no copy of the name in stored emails."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Q

from lectern.core.permissions import Principal
from lectern.directory.personal_data import personal_data_erase
from lectern.memberships.selectors import ledger_recount
from lectern.notifications.models import Attachment, Message
from lectern.registrations import services as registration_services
from lectern.registrations.models import Registration, WaitlistEntry
from lectern.registrations.services.waitlist import waitlist_join
from lectern.registrations.tests.conftest import details, make_event

from .test_directory_and_data import certified  # noqa: F401  (a fixture)

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
AFTER_CUTOFF = datetime(2027, 3, 8, 12, 0, tzinfo=UTC)  # the event is on 10 March


@pytest.fixture
def member(db):
    from datetime import date

    from tests.factories import membership

    return membership(tier="silver", start_date=date(2026, 10, 1))


def _check_seats() -> str:
    out = StringIO()
    call_command("check_seats", stdout=out)
    return out.getvalue()


def test_erasure_after_the_cutoff_releases_the_seat_and_ends_the_waiting_list(
    staff, member
) -> None:
    event = make_event(capacity=1)
    full = make_event(day="2027-04-01", capacity=1)
    registration = registration_services.registration_create(
        actor=Principal.anonymous(),
        event_id=event.pk,
        code=member.registration_code,
        details=details(0),
        now=NOW,
    ).registration
    registration_services.registration_create(
        actor=Principal.anonymous(),
        event_id=full.pk,
        code=member.registration_code,
        details=details(1),
        now=NOW,
    )
    entry = waitlist_join(
        actor=Principal.anonymous(),
        event_id=full.pk,
        code=member.registration_code,
        details=details(0),
        now=NOW,
    )
    before = ledger_recount(member)
    assert Message.objects.filter(recipient="trainee0@uni.example", status="pending").exists()
    personal_data_erase(actor=staff, trainee=registration.trainee, now=AFTER_CUTOFF)
    registration.refresh_from_db()
    assert registration.status == "withdrawn"  # not forfeited, even after the cutoff
    entry.refresh_from_db()
    assert entry.status == "ended"
    member.refresh_from_db()
    after = ledger_recount(member)
    assert after.available == before.available + 1
    assert after.used == before.used
    event.refresh_from_db()
    assert event.places_taken == 0
    assert "ok:" in _check_seats()
    assert member.ledger.filter(registration_id=registration.pk, reason="erased").exists()
    assert not Message.objects.filter(recipient="trainee0@uni.example").exists()
    assert not Message.objects.filter(
        recipient=registration.trainee.email, status="pending"
    ).exists()
    assert not WaitlistEntry.objects.filter(status__in=["waiting", "offered"]).exclude(
        trainee_id=Registration.objects.get(event=full).trainee_id
    )
    # the seat can be taken again
    again = registration_services.registration_create(
        actor=Principal.anonymous(),
        event_id=event.pk,
        code=member.registration_code,
        details=details(2),
        now=AFTER_CUTOFF.replace(month=1),
    )
    assert again.registration.status == "confirmed"


def test_no_stored_email_or_attachment_keeps_the_name(staff, certified) -> None:  # noqa: F811
    registration, _ = certified
    trainee = registration.trainee
    name = trainee.name
    certified_mail = Message.objects.get(kind="certified")
    assert certified_mail.attachments.exists()
    assert Message.objects.filter(Q(body_text__contains=name)).exists()
    personal_data_erase(actor=staff, trainee=trainee)
    assert not Message.objects.filter(
        Q(subject__contains=name) | Q(body_text__contains=name) | Q(body_html__contains=name)
    ).exists()
    for attachment in Attachment.objects.all():
        assert bytes(attachment.content) == b"" or name.encode() not in bytes(attachment.content)
    assert all(bytes(a.content) == b"" for a in certified_mail.attachments.all())
    assert not Message.objects.filter(status="pending", recipient=trainee.email).exists()
    assert "ok:" in _check_seats()
