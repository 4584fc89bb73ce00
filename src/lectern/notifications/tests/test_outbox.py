"""The outbox: written once, sent once, retried, leased, rescheduled and cancelled."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lectern.accounts.services import user_ensure
from lectern.events import services as event_services
from lectern.events.services import LocalTimes
from lectern.memberships import services as membership_services
from lectern.notifications.kinds import kinds_all
from lectern.notifications.models import Message, MessageStatus
from lectern.notifications.scheduler import tick
from lectern.notifications.sender import claim, message_id, send_due
from lectern.notifications.services import message_queue, render
from lectern.registrations.services import event_cancel
from tests.factories import membership
from tests.smtp import smtp_sink  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


def coordinated(staff, **kwargs):
    m = membership(**kwargs)
    membership_services.contact_add(
        actor=staff,
        membership=m,
        email="coord@uni.example",
        name="Co Ord",
        role="coordinator",
        now=NOW,
    )
    return m


def test_each_kind_renders_in_text_and_html(staff) -> None:
    from lectern.events.reminders import event_context
    from lectern.memberships.selectors import attendance_advice, membership_seat_summary
    from lectern.registrations import emails
    from lectern.registrations.services import TraineeDetails, registration_create

    trainer = user_ensure(email="t@example.org", role="trainer", name="Tess Trainer")
    m = coordinated(staff)
    event = event_services.event_create(
        actor=staff,
        title="Spring training",
        timezone="Europe/Berlin",
        sessions=[LocalTimes("2027-03-10T09:00", "2027-03-10T17:00")],
        capacity=20,
        min_enrolment=5,
        trainer_ids=[trainer.pk],
        now=NOW,
    )
    registration = registration_create(
        actor=staff,
        event_id=event.pk,
        code=m.registration_code,
        now=NOW,
        override_reason="a past membership, for the sample",
        details=TraineeDetails(
            name="Ada",
            email="ada@uni.example",
            affiliation="Uni",
            country="NZ",
            technologies=["git"],
            usage_frequency="daily",
            carpentries_experience=["none"],
            accept_code_of_conduct=True,
            accept_privacy=True,
            timezone="Asia/Tokyo",
        ),
    ).registration
    context = {
        **event_context(event),
        **emails.event_context(event, "Asia/Tokyo"),
        "membership": m,
        "seats": membership_seat_summary(m),
        "months": 3,
        "advice": attendance_advice(m, NOW.date()),
        "url": "U",
        "calendar_url": "C",
        "recipient_name": "Ada",
        "registration": registration,
        "trainee": registration.trainee,
        "manage_url": emails.manage_url(registration),
        "alternatives": [event],
        "trainees": [registration.trainee],
        "position": 2,
        "expires_at": NOW,
        "accept_url": "A",
        "events": [event],
        "reason": "why",
        "previous": event,
        "moved": True,
        "message_subject": "A word from staff",
        "message_body": "Hello all.",
    }
    for kind in [k.name for k in kinds_all()]:
        rendered = render(kind, context)
        assert rendered.subject, kind
        assert "\n" not in rendered.subject
        assert "{{" not in rendered.text, kind
        assert "{%" not in rendered.text, kind
        assert rendered.html.lstrip().startswith("<!doctype html>"), kind
        assert "Hello" in rendered.text, kind
    preparation = render("preparation", context).text
    assert "In your time zone (Asia/Tokyo)" in preparation
    assert "Spring training" in render("event_approaching_trainer", context).text


def test_a_message_is_written_once(staff) -> None:
    m = membership()
    first = message_queue(
        kind="membership_welcome", to="A@b.example", obj=m, now=NOW, context={"membership": m}
    )
    again = message_queue(
        kind="membership_welcome", to="a@b.example", obj=m, now=NOW, context={"membership": m}
    )
    assert first is not None
    assert again is None
    assert Message.objects.count() == 1


def test_welcome_goes_to_coordinators_and_tick_twice_sends_once(staff) -> None:
    m = coordinated(staff)
    membership_services.contact_add(
        actor=staff, membership=m, email="pay@uni.example", name="Pay", role="billing", now=NOW
    )
    assert list(Message.objects.values_list("kind", "recipient")) == [
        ("membership_welcome", "coord@uni.example")
    ]
    tick(now=NOW)
    tick(now=NOW + timedelta(minutes=1))
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["coord@uni.example"]
    assert m.registration_code in sent.body
    assert sent.extra_headers["Message-ID"] == message_id(Message.objects.get())
    assert Message.objects.get().status == MessageStatus.SENT


def test_rollover_welcomes_coordinators_to_the_new_term(staff) -> None:
    m = coordinated(staff)
    successor = membership_services.seats_rollover(actor=staff, membership=m, seats=2, now=NOW)
    welcome = Message.objects.get(kind="membership_welcome", object_id=successor.pk)
    assert successor.registration_code in welcome.body_text
    assert "7 seats" in welcome.body_text


class TestCheckins:
    def test_sent_at_three_six_and_nine_months_once(self, staff) -> None:
        coordinated(staff, start_date=date(2026, 1, 15))
        keys = lambda: sorted(  # noqa: E731
            Message.objects.filter(kind="coordinator_checkin").values_list("key", flat=True)
        )
        tick(now=datetime(2026, 4, 14, 23, 0, tzinfo=UTC))
        assert keys() == []
        tick(now=datetime(2026, 4, 15, 6, 0, tzinfo=UTC))
        tick(now=datetime(2026, 4, 15, 6, 1, tzinfo=UTC))
        assert keys() == ["3m"]
        tick(now=datetime(2026, 7, 20, tzinfo=UTC))
        tick(now=datetime(2026, 10, 15, tzinfo=UTC))
        assert keys() == ["3m", "6m", "9m"]
        checkin = Message.objects.get(kind="coordinator_checkin", key="6m")
        assert "6 months ago" in checkin.body_text
        assert "Available: 5" in checkin.body_text

    def test_a_missed_checkin_catches_up_within_the_grace_period_only(self, staff) -> None:
        coordinated(staff, start_date=date(2026, 1, 15))
        tick(now=datetime(2026, 5, 10, tzinfo=UTC))  # 25 days late: still sent
        assert Message.objects.filter(kind="coordinator_checkin", key="3m").count() == 1
        coordinated(staff, start_date=date(2026, 1, 5))  # another membership, same coordinator
        tick(now=datetime(2026, 5, 10, tzinfo=UTC))  # 35 days late: its moment has passed
        assert Message.objects.filter(kind="coordinator_checkin", key="3m").count() == 1


class TestEventReminders:
    def make(self, staff, day: str = "2027-03-10"):
        trainers = [user_ensure(email=f"t{n}@example.org", role="trainer") for n in (1, 2)]
        return event_services.event_create(
            actor=staff,
            title="Spring training",
            timezone="Europe/Berlin",
            sessions=[LocalTimes(f"{day}T09:00", f"{day}T17:00")],
            capacity=20,
            min_enrolment=5,
            trainer_ids=[t.pk for t in trainers],
            now=NOW,
        )

    def test_trainers_are_told_thirty_days_before(self, staff) -> None:
        self.make(staff)
        notices = Message.objects.filter(kind="event_approaching_trainer")
        assert {m.due_at for m in notices} == {datetime(2027, 2, 8, 8, 0, tzinfo=UTC)}
        assert notices.count() == 2
        tick(now=datetime(2027, 2, 8, 7, 59, tzinfo=UTC))
        assert mail.outbox == []
        tick(now=datetime(2027, 2, 8, 8, 0, tzinfo=UTC))
        assert sorted(m.to[0] for m in mail.outbox) == ["t1@example.org", "t2@example.org"]

    def test_a_moved_event_moves_its_reminders(self, staff) -> None:
        event = self.make(staff)
        event_services.event_update(
            actor=staff,
            event=event,
            now=NOW,
            changes={"sessions": [LocalTimes("2027-03-24T09:00", "2027-03-24T17:00")]},
        )
        notices = Message.objects.filter(kind="event_approaching_trainer")
        assert {m.due_at for m in notices} == {datetime(2027, 2, 22, 8, 0, tzinfo=UTC)}
        assert all("Wed 24 Mar 2027" in m.body_text for m in notices)
        tick(now=datetime(2027, 2, 8, 8, 0, tzinfo=UTC))
        # only the change itself is told at once; the notice waits for its new moment
        assert {m.subject.split(":")[0] for m in mail.outbox} == {"New dates"}

    def test_a_cancelled_event_sends_no_reminders(self, staff) -> None:
        event = self.make(staff)
        event_cancel(actor=staff, event=event, reason="x", now=NOW)
        assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.CANCELLED}
        tick(now=datetime(2027, 3, 1, tzinfo=UTC))
        assert mail.outbox == []

    def test_a_removed_trainer_is_not_told(self, staff) -> None:
        event = self.make(staff)
        keep = event.trainers.get(email="t1@example.org")
        event_services.event_update(
            actor=staff, event=event, now=NOW, changes={"trainer_ids": [keep.pk]}
        )
        pending = Message.objects.filter(status=MessageStatus.PENDING)
        assert list(pending.values_list("recipient", flat=True)) == ["t1@example.org"]

    def test_an_event_soon_tells_trainers_now_and_not_after_it_started(self, staff) -> None:
        self.make(staff, day="2027-01-20")
        assert {m.due_at for m in Message.objects.all()} == {NOW}
        send_due(now=datetime(2027, 1, 20, 9, 0, tzinfo=UTC))  # the service was down
        assert mail.outbox == []
        assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.CANCELLED}


def welcomes(count: int) -> None:
    """`count` welcome emails due now, to p0@x.example and on."""
    m = membership()
    for n in range(count):
        message_queue(
            kind="membership_welcome",
            to=f"p{n}@x.example",
            obj=m,
            now=NOW,
            context={"membership": m},
        )


class TestSender:
    def test_a_sender_that_dies_after_picking_leaves_nothing_lost(self, settings) -> None:
        welcomes(3)
        _token, picked = claim(now=NOW, limit=10)
        assert len(picked) == 3
        # ...the process dies here: nothing is marked.
        assert claim(now=NOW + timedelta(seconds=10), limit=10)[1] == []
        lease = settings.LECTERN["MAIL_LEASE_SECONDS"]
        report = send_due(now=NOW + timedelta(seconds=lease + 1))
        assert report.sent == 3
        assert len(mail.outbox) == 3

    def test_a_batch_is_marked_sent_with_one_update(self) -> None:
        welcomes(5)
        with CaptureQueriesContext(connection) as queries:
            report = send_due(now=NOW, limit=5)
        updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
        # the claim's lease, then the five sent at once
        assert len(updates) == 2, updates
        assert report.sent == 5
        assert len(mail.outbox) == 5
        assert set(Message.objects.values_list("status", "attempts")) == {("sent", 1)}

    def test_real_smtp_delivery_read_back(self, smtp_sink) -> None:  # noqa: F811
        sink, _ = smtp_sink
        m = membership()
        message = message_queue(
            kind="membership_welcome",
            to="coord@uni.example",
            obj=m,
            now=NOW,
            name="Co Ord",
            context={"membership": m},
        )
        assert send_due(now=NOW).sent == 1
        [received] = sink.messages
        assert received["To"] == "coord@uni.example"
        assert received["Message-ID"] == message_id(message)
        assert received["Auto-Submitted"] == "auto-generated"
        assert received["Subject"].startswith("Welcome to")
        parts = {
            part.get_content_type(): part.get_payload(decode=True).decode()
            for part in received.walk()
            if not part.is_multipart()
        }
        assert m.registration_code in parts["text/plain"]
        assert m.registration_code in parts["text/html"]

    def test_a_refusing_smtp_server_means_retries_then_failed(self, smtp_sink, settings) -> None:  # noqa: F811
        sink, _ = smtp_sink
        sink.refuse = "451 4.3.0 Mailbox busy, try again later"
        settings.LECTERN = {**settings.LECTERN, "MAIL_MAX_ATTEMPTS": 3}
        m = membership()
        message_queue(
            kind="membership_welcome", to="a@x.example", obj=m, now=NOW, context={"membership": m}
        )
        assert send_due(now=NOW).retried == 1
        message = Message.objects.get()
        assert (message.status, message.attempts) == (MessageStatus.PENDING, 1)
        assert message.due_at == NOW + timedelta(seconds=60)
        assert "Mailbox busy" in message.last_error
        assert send_due(now=NOW + timedelta(seconds=30)).retried == 0  # backing off
        assert send_due(now=NOW + timedelta(seconds=60)).retried == 1
        message.refresh_from_db()
        assert message.due_at == NOW + timedelta(seconds=60 + 120)
        assert send_due(now=NOW + timedelta(seconds=180)).failed == 1
        message.refresh_from_db()
        assert (message.status, message.attempts) == (MessageStatus.FAILED, 3)
        assert sink.messages == []

    def test_an_unreachable_server_counts_as_a_failed_attempt(self, settings) -> None:
        from tests.smtp import free_port

        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
        m = membership()
        message_queue(
            kind="membership_welcome", to="a@x.example", obj=m, now=NOW, context={"membership": m}
        )
        assert send_due(now=NOW).retried == 1
        assert "ConnectionRefusedError" in Message.objects.get().last_error
