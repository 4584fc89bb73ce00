"""Retention rules at their boundaries: off by default, then exactly at the configured age."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lectern.directory.rules import email_body_retention, trainee_retention
from lectern.notifications.models import Attachment, Message
from lectern.registrations.models import Registration, Trainee

pytestmark = pytest.mark.django_db
NOW = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)
THREE_YEARS_AGO = datetime(2028, 6, 1, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)


def _trainee(n: int, created_at: datetime) -> Trainee:
    return Trainee.objects.create(
        email=f"t{n}@uni.example",
        name=f"Person {n}",
        affiliation="U",
        country="NZ",
        usage_frequency="weekly",
        created_at=created_at,
    )


def _message(to: str, sent_at: datetime, body: str = "Hello Person") -> Message:
    message = Message.objects.create(
        kind="test",
        recipient=to,
        object_type="trainee",
        object_id=1,
        subject="Hello",
        body_text=body,
        body_html=f"<p>{body}</p>",
        due_at=sent_at,
        created_at=sent_at,
        sent_at=sent_at,
        status="sent",
    )
    Attachment.objects.create(
        message=message, filename="a.ics", content_type="text/calendar", content=b"x"
    )
    return message


def test_trainee_retention_is_off_by_default(settings) -> None:
    assert settings.TRAINEE_RETENTION_YEARS is None
    _trainee(0, datetime(2000, 1, 1, tzinfo=UTC))
    trainee_retention(NOW)
    assert not Trainee.objects.filter(erased_at__isnull=False).exists()


def test_trainees_inactive_for_the_years_are_erased_one_second_newer_is_kept(settings) -> None:
    settings.TRAINEE_RETENTION_YEARS = 3
    at_cutoff = _trainee(0, THREE_YEARS_AGO)
    newer = _trainee(1, THREE_YEARS_AGO + SECOND)
    emailed = _trainee(2, datetime(2020, 1, 1, tzinfo=UTC))
    _message(emailed.email, THREE_YEARS_AGO + SECOND)
    old_email = _trainee(3, datetime(2020, 1, 1, tzinfo=UTC))
    _message(old_email.email, THREE_YEARS_AGO)
    trainee_retention(NOW)
    erased = set(Trainee.objects.filter(erased_at=NOW).values_list("pk", flat=True))
    assert erased == {at_cutoff.pk, old_email.pk}
    assert Trainee.objects.get(pk=newer.pk).erased_at is None
    assert not Message.objects.filter(body_text__contains="Person").exclude(recipient=emailed.email)


def test_a_recent_registration_keeps_the_trainee(settings, member, event) -> None:
    from lectern.core.permissions import Principal
    from lectern.registrations import services
    from lectern.registrations.tests.conftest import details

    created = services.registration_create(
        actor=Principal.anonymous(),
        event_id=event.pk,
        code=member.registration_code,
        details=details(0),
        now=datetime(2031, 1, 10, tzinfo=UTC),
    ).registration
    settings.TRAINEE_RETENTION_YEARS = 1
    Trainee.objects.filter(pk=created.trainee_id).update(created_at=THREE_YEARS_AGO)
    Message.objects.all().delete()
    changed = NOW.replace(year=2030) + SECOND
    Registration.objects.filter(pk=created.pk).update(created_at=changed, changed_at=changed)
    trainee_retention(NOW)
    assert Trainee.objects.get(pk=created.trainee_id).erased_at is None
    Registration.objects.filter(pk=created.pk).update(
        created_at=changed - SECOND, changed_at=changed - SECOND
    )
    trainee_retention(NOW)
    assert Trainee.objects.get(pk=created.trainee_id).erased_at == NOW


def test_email_bodies_are_blanked_at_the_configured_age(settings) -> None:
    assert settings.EMAIL_BODY_RETENTION_DAYS is None
    at_age = _message("a@uni.example", NOW - timedelta(days=30))
    younger = _message("b@uni.example", NOW - timedelta(days=30) + SECOND)
    email_body_retention(NOW)
    assert Message.objects.filter(body_text="").count() == 0
    settings.EMAIL_BODY_RETENTION_DAYS = 30
    email_body_retention(NOW)
    at_age.refresh_from_db()
    younger.refresh_from_db()
    assert (at_age.body_text, at_age.body_html, at_age.subject) == ("", "", "Hello")
    assert bytes(at_age.attachments.get().content) == b""
    assert younger.body_text == "Hello Person"
    assert bytes(younger.attachments.get().content) == b"x"


@pytest.fixture
def member(db):
    from datetime import date

    from tests.factories import membership

    return membership(tier="silver", start_date=date(2030, 10, 1))


@pytest.fixture
def event(db):
    from lectern.registrations.tests.conftest import make_event

    return make_event(day="2031-08-10")
