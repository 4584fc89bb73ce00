"""A kind written when it is sent (`Kind.write`): the registration's confirmation.

The request queues one row and renders nothing; the sender writes it from the registration
as it is then, keeps exactly what it sent, and counts a failure to write as a failed attempt.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail

from lectern.core.permissions import Principal
from lectern.directory.personal_data import personal_data_erase
from lectern.notifications import wording
from lectern.notifications.models import Message, MessageStatus
from lectern.notifications.sender import send_due
from lectern.notifications.services import message_queue, message_write, messages_write
from lectern.registrations import services
from lectern.registrations.models import Registration
from lectern.registrations.tests.conftest import details, make_event
from tests.factories import membership

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)


def register(n: int = 0, **extra):
    member = extra.pop("member", None) or membership(start_date=date(2026, 10, 1))
    return services.registration_create(
        actor=Principal.anonymous(),
        event_id=extra.pop("event", None) or make_event().pk,
        code=member.registration_code,
        details=details(n, **extra),
        now=NOW,
    ).registration


def confirmation(registration: Registration) -> Message:
    return Message.objects.get(kind="registration_confirmed", object_id=registration.pk)


def test_the_request_queues_it_unwritten_and_the_sender_keeps_what_it_sent(staff_api) -> None:
    registration = register(timezone="Asia/Tokyo")
    queued = confirmation(registration)
    assert (queued.written, queued.status, queued.subject, queued.body_text) == (
        False,
        MessageStatus.PENDING,
        "",
        "",
    )
    assert (queued.context, queued.attachments.count()) == ({}, 0)
    listed = staff_api.get("/notifications", kind="registration_confirmed").json()["items"]
    assert [(m["written"], m["subject"]) for m in listed] == [(False, "")]

    assert send_due(now=NOW).sent == 1
    [email] = mail.outbox
    sent = confirmation(registration)
    assert (sent.status, sent.written) == (MessageStatus.SENT, True)
    assert (
        email.subject
        == sent.subject
        == ("You are registered: Instructor Training, from Wed 10 Mar 2027")
    )
    assert email.body == sent.body_text
    assert email.alternatives[0][0] == sent.body_html
    assert f"/manage/lr_{registration.pk}_" in sent.body_text
    assert "In your time zone (Asia/Tokyo)" in sent.body_text
    [(filename, content, _)] = email.attachments
    stored = sent.attachments.get()
    assert (filename, content) == (stored.filename, bytes(stored.content).decode())
    assert filename == "instructor-training-2027-03-10.ics"
    assert sent.context["event.title"] == "Instructor Training"  # a real example for previews
    detail = staff_api.get(f"/notifications/{sent.pk}").json()
    assert (detail["written"], detail["body_text"]) == (True, sent.body_text)


def test_it_is_written_with_the_wording_in_use_when_it_goes(staff) -> None:
    registration = register()
    saved = wording.message_template_save(
        actor=staff,
        kind="registration_confirmed",
        subject="Welcome to {{ event.title }}",
        body_text="See you, {{ recipient_name }}.",
    )
    written = message_write(confirmation(registration))
    assert (written.subject, written.body_text) == (
        "Welcome to Instructor Training",
        "See you, Trainee 0.",
    )
    assert written.template_version == saved.version
    again = message_write(confirmation(registration))  # written once: kept as it is
    assert (again.subject, again.attachments.count()) == (written.subject, 1)


def test_a_failure_to_write_is_a_failed_attempt_retried_like_a_failure_to_send(
    settings,
) -> None:
    ghost = Registration(pk=10**9)  # no such row: the writer cannot read it
    message_queue(kind="registration_confirmed", to="ghost@uni.example", obj=ghost, now=NOW)
    report = send_due(now=NOW)
    failed = Message.objects.get()
    assert (report.sent, report.retried, failed.attempts, failed.written) == (0, 1, 1, False)
    assert str(ghost.pk) in failed.last_error  # the registration it could not read
    assert failed.due_at == NOW + timedelta(seconds=settings.LECTERN["MAIL_RETRY_BASE_SECONDS"])
    assert mail.outbox == []


def test_the_sender_writes_a_batch_reading_each_kinds_objects_once(
    django_assert_num_queries,
) -> None:
    member = membership(tier="custom", seats=10, start_date=date(2026, 10, 1))
    events = [make_event(), make_event(day="2027-04-10")]
    for n in range(6):
        register(n, member=member, event=events[n % 2].pk)
    queued = list(Message.objects.filter(kind="registration_confirmed"))
    # registrations with their trainees and events, the sessions, the wording; then each
    # email's UPDATE and its invitation, in a savepoint (here) of its own
    with django_assert_num_queries(3 + 6 * 4):
        assert messages_write(queued) == {}
    assert all(m.written and m.subject.startswith("You are registered") for m in queued)


def test_values_are_not_given_to_a_kind_written_when_it_is_sent() -> None:
    registration = register()
    with pytest.raises(ValueError, match="written when it is sent"):
        message_queue(
            kind="registration_confirmed",
            to="x@uni.example",
            obj=registration,
            now=NOW,
            key="again",
            context={"registration": registration},
        )


def test_erasure_cancels_an_unwritten_confirmation_and_nothing_is_written_of_it(staff) -> None:
    unsent = register(0)
    sent = register(1, name="Grace Hopper")
    message_write(confirmation(sent))
    Message.objects.filter(pk=confirmation(sent).pk).update(status=MessageStatus.SENT)
    personal_data_erase(actor=staff, trainee=unsent.trainee, now=NOW)
    personal_data_erase(actor=staff, trainee=sent.trainee, now=NOW)
    for registration in (unsent, sent):
        erased = confirmation(registration)
        assert (erased.subject, erased.body_text, erased.body_html, erased.context) == (
            "(erased)",
            "",
            "",
            {},
        )
        assert erased.written
    assert confirmation(unsent).status == MessageStatus.CANCELLED
    assert send_due(now=NOW).sent == 0
    assert not Message.objects.filter(body_text__contains="Grace").exists()


def test_a_preview_takes_its_values_from_the_latest_written_one(staff) -> None:
    first = register(0, name="Ada Lovelace")
    message_write(confirmation(first))
    register(1, name="Bob Unwritten")  # queued later, not yet written: no values
    preview = wording.message_template_preview(actor=staff, kind="registration_confirmed")
    assert "Ada Lovelace" in preview.text
