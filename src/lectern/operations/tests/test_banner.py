"""The staff banner: on the dashboard and in the back office while emails fail, back up,
or the scheduler is silent; a link to the failed emails and a one-click retry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client

from lectern.accounts.services import user_ensure
from lectern.core.heartbeat import TICK, heartbeat_record
from lectern.core.models import AuditEntry
from lectern.notifications.models import Message, MessageStatus
from lectern.notifications.scheduler import tick
from lectern.operations.tests.conftest import NOW
from tests.smtp import smtp_sink  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(staff_user, frozen) -> Client:
    client = Client()
    client.force_login(staff_user)
    return client


def banner(client: Client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200
    html = page.content.decode()
    if 'id="staff-banner"' not in html:
        return ""
    start = html.index('id="staff-banner"')
    return html[start : html.index("</", html.index("See the failed", start)) + 200]


PAGES = ["/staff/dashboard/", "/admin/", "/admin/notifications/message/"]


def test_no_banner_when_nothing_is_stuck(staff_client, register, frozen) -> None:
    register(1)
    for path in PAGES:
        assert banner(staff_client, path) == ""


def test_a_failed_email_shows_the_banner_with_a_retry_that_clears_it(
    staff_client,
    register,
    frozen,
    smtp_sink,  # noqa: F811
    settings,
) -> None:
    sink, _ = smtp_sink
    register(1)
    sink.refuse = "550 5.1.1 mailbox unavailable"
    settings.LECTERN = {**settings.LECTERN, "MAIL_MAX_ATTEMPTS": 1}
    assert tick().mail.failed == 1
    for path in PAGES:
        text = banner(staff_client, path)
        assert 'data-alert="emails_failed"' in text, path
        assert "1 email(s) failed for good" in text
        assert 'href="/staff/outbox/"' in text
    problems = staff_client.get("/staff/outbox/").content.decode()
    failed = Message.objects.get(status=MessageStatus.FAILED)
    assert "trainee1@uni.example" in problems
    assert "550" in problems

    sink.refuse = None
    response = staff_client.post("/staff/outbox/retry/", {"next": "/staff/dashboard/"})
    assert response.status_code == 302
    assert response["Location"] == "/staff/dashboard/"
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.due_at) == (MessageStatus.PENDING, 0, NOW)
    assert AuditEntry.objects.filter(action="message_retried", object_id=failed.pk).exists()
    assert banner(staff_client, "/staff/dashboard/") == ""
    assert tick().mail.sent == 1
    assert len(sink.messages) == 1


def test_one_message_is_retried_by_its_id(staff_client, register, frozen) -> None:
    register(1)
    register(2)
    first, second = Message.objects.order_by("id")
    Message.objects.filter(pk__in=[first.pk, second.pk]).update(
        status=MessageStatus.FAILED, attempts=5
    )
    staff_client.post("/staff/outbox/retry/", {"message_id": str(second.pk)})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (MessageStatus.FAILED, MessageStatus.PENDING)


def test_only_staff_may_retry_or_see_the_problems(register, frozen) -> None:
    register(1)
    Message.objects.update(status=MessageStatus.FAILED)
    anonymous = Client()
    assert anonymous.post("/staff/outbox/retry/").status_code == 302  # to the sign-in page
    assert anonymous.get("/staff/outbox/").status_code == 302
    assert Message.objects.get().status == MessageStatus.FAILED


def test_a_backlog_and_a_silent_scheduler_show_the_banner(staff_client, register, frozen) -> None:
    register(1)
    heartbeat_record(name=TICK, at=NOW - timedelta(minutes=11), seconds=0.2)
    Message.objects.update(due_at=NOW - timedelta(minutes=16))
    text = banner(staff_client, "/staff/dashboard/")
    assert 'data-alert="outbox_backing_up"' in text
    assert "the oldest for 16 minutes" in text
    assert 'data-alert="scheduler_silent"' in text
    assert "has not run for 11 minutes" in text
    assert "Retry every failed email" not in text  # nothing failed: nothing to retry


def test_the_banner_is_for_staff_only(register, frozen) -> None:
    register(1)
    Message.objects.update(status=MessageStatus.FAILED)
    trainer = Client()
    trainer.force_login(user_ensure(email="trainer@uni.example", role="trainer"))
    assert "staff-banner" not in trainer.get("/review/").content.decode()
