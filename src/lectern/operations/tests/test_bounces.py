"""`lectern bounces` with delivery status notifications shaped as real servers write them
(Postfix returns headers only; Exchange and Gmail-like servers the whole message)."""

from __future__ import annotations

import io
import mailbox

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from lectern.core.models import AuditEntry
from lectern.notifications.models import Message, MessageStatus
from lectern.notifications.sender import message_id
from lectern.operations.bounces import dsn_parse
from lectern.registrations.models import Trainee

pytestmark = pytest.mark.django_db


def postfix_dsn(our_id: str, recipient: str, action: str = "failed") -> bytes:
    return f"""Return-Path: <>
Received: by mx.uni.example (Postfix) id 4B2C81A0F3; Sun, 10 Jan 2027 12:01:02 +0000 (UTC)
Date: Sun, 10 Jan 2027 12:01:02 +0000 (UTC)
From: MAILER-DAEMON@mx.lectern.example (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: training@lectern.example
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
	boundary="4B2C81A0F3.1799582462/mx.lectern.example"
Message-Id: <20270110120102.4B2C81A0F3@mx.lectern.example>

This is a MIME-encapsulated message.

--4B2C81A0F3.1799582462/mx.lectern.example
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host mx.lectern.example.

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<{recipient}>: host mx.uni.example[192.0.2.25] said: 550 5.1.1
    <{recipient}>: Recipient address rejected: User unknown in virtual mailbox
    table (in reply to RCPT TO command)

--4B2C81A0F3.1799582462/mx.lectern.example
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.lectern.example
X-Postfix-Queue-ID: 4B2C81A0F3
X-Postfix-Sender: rfc822; training@lectern.example
Arrival-Date: Sun, 10 Jan 2027 12:01:01 +0000 (UTC)

Final-Recipient: rfc822; {recipient}
Original-Recipient: rfc822;{recipient}
Action: {action}
Status: {"5.1.1" if action == "failed" else "4.4.1"}
Remote-MTA: dns; mx.uni.example
Diagnostic-Code: smtp; 550 5.1.1 <{recipient}>: Recipient address rejected:
    User unknown in virtual mailbox table

--4B2C81A0F3.1799582462/mx.lectern.example
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

Return-Path: <training@lectern.example>
Received: from lectern.example (web1.lectern.example [192.0.2.10])
	by mx.lectern.example (Postfix) with ESMTP id 4B2C81A0F3
	for <{recipient}>; Sun, 10 Jan 2027 12:01:01 +0000 (UTC)
Subject: Your registration is confirmed
From: Lectern <training@lectern.example>
To: {recipient}
Date: Sun, 10 Jan 2027 12:00:59 -0000
Message-ID: {our_id}

--4B2C81A0F3.1799582462/mx.lectern.example--
""".replace("\n", "\r\n").encode()


def exchange_dsn(our_id: str, recipient: str) -> bytes:
    return f"""From: postmaster@outlook.example
To: training@lectern.example
Date: Sun, 10 Jan 2027 12:03:00 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type="delivery-status";
	boundary="b1_exchange"
Subject: Undeliverable: Your registration is confirmed
Message-ID: <b7e0d4a1-2f11@outlook.example>

--b1_exchange
Content-Type: multipart/alternative; boundary="b2_alt"

--b2_alt
Content-Type: text/plain; charset="utf-8"

Your message to {recipient} couldn't be delivered.
--b2_alt
Content-Type: text/html; charset="utf-8"

<p>Your message to {recipient} couldn't be delivered.</p>
--b2_alt--

--b1_exchange
Content-Type: message/delivery-status

Reporting-MTA: dns;AM0PR01MB1234.eurprd01.prod.outlook.example
Received-From-MTA: dns;web1.lectern.example
Arrival-Date: Sun, 10 Jan 2027 12:02:58 +0000

Final-Recipient: rfc822;{recipient.upper()}
Action: failed
Status: 5.2.2
Diagnostic-Code: smtp;554 5.2.2 mailbox full;
 STOREDRV.Deliver.Exception:QuotaExceededException

--b1_exchange
Content-Type: message/rfc822

Message-ID: {our_id}
From: Lectern <training@lectern.example>
To: {recipient}
Subject: Your registration is confirmed
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"

Hello, you are registered.

--b1_exchange--
""".encode()


@pytest.fixture
def sent(register, frozen) -> Message:
    register(1)
    message = Message.objects.get(kind="registration_confirmed")
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENT)
    message.refresh_from_db()
    return message


def run_bounces(path) -> str:
    out = io.StringIO()
    call_command("bounces", "--mailbox", f"maildir://{path}", stdout=out)
    return out.getvalue()


def test_a_postfix_report_marks_the_email_bounced_and_staff_see_it(
    sent, tmp_path, staff_user
) -> None:
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    box.add(postfix_dsn(message_id(sent), sent.recipient))
    box.add(b"From: someone@uni.example\r\nSubject: Out of office\r\n\r\nBack Monday.\r\n")
    output = run_bounces(tmp_path / "bounces")
    assert output.strip() == "2 read, 1 email(s) marked bounced, 1 not a report about ours"
    sent.refresh_from_db()
    assert sent.status == MessageStatus.BOUNCED
    assert sent.last_error.startswith("bounced (5.1.1): smtp; 550 5.1.1")
    assert "User unknown in virtual mailbox table" in sent.last_error
    assert AuditEntry.objects.filter(action="message_bounced", object_id=sent.pk).exists()
    assert len(box) == 0  # read reports are removed

    staff = Client()
    staff.force_login(staff_user)
    trainee = Trainee.objects.get(email=sent.recipient)
    page = staff.get(f"/admin/registrations/trainee/{trainee.pk}/change/").content.decode()
    assert 'id="mail-bounces"' in page
    assert "User unknown" in page
    dashboard = staff.get("/staff/dashboard/").content.decode()
    assert 'data-alert="emails_bounced"' in dashboard


def test_an_exchange_report_with_the_whole_message_and_an_upper_case_address(
    sent, tmp_path
) -> None:
    [bounce] = dsn_parse(exchange_dsn(message_id(sent), sent.recipient))
    assert bounce.message_id == sent.pk
    assert bounce.recipient == sent.recipient
    assert bounce.status == "5.2.2"
    assert "mailbox full" in bounce.diagnostic
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    box.add(exchange_dsn(message_id(sent), sent.recipient))
    assert "1 email(s) marked bounced" in run_bounces(tmp_path / "bounces")


def test_a_delay_report_is_not_a_bounce(sent) -> None:
    assert dsn_parse(postfix_dsn(message_id(sent), sent.recipient, action="delayed")) == []


def test_a_report_naming_another_recipient_marks_nothing(sent, tmp_path) -> None:
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    box.add(postfix_dsn(message_id(sent), "someone.else@uni.example"))
    assert "0 email(s) marked bounced" in run_bounces(tmp_path / "bounces")
    sent.refresh_from_db()
    assert sent.status == MessageStatus.SENT


def test_a_report_about_mail_that_is_not_ours_is_ignored(sent) -> None:
    foreign = postfix_dsn("<CAF=abc123@mail.gmail.example>", sent.recipient)
    assert dsn_parse(foreign) == []


def test_a_forged_report_or_one_about_an_email_still_due_marks_nothing(sent, tmp_path) -> None:
    """Anyone can mail the bounce mailbox: a report must carry the signature our Message-ID
    has for that email and recipient, and an email not yet sent cannot have come back."""
    forged = f"<lectern.{sent.pk}.{sent.kind}.{'0' * 16}@lectern.example>"
    unsigned = f"<lectern.{sent.pk}.{sent.kind}@lectern.example>"  # the earlier shape
    assert dsn_parse(postfix_dsn(forged, sent.recipient)) == []
    assert dsn_parse(postfix_dsn(unsigned, sent.recipient)) == []
    Message.objects.filter(pk=sent.pk).update(status=MessageStatus.PENDING)
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    box.add(postfix_dsn(message_id(sent), sent.recipient))
    assert "0 email(s) marked bounced" in run_bounces(tmp_path / "bounces")
    sent.refresh_from_db()
    assert sent.status == MessageStatus.PENDING


def test_reading_twice_marks_once(sent, tmp_path) -> None:
    box = mailbox.Maildir(tmp_path / "bounces", create=True)
    box.add(postfix_dsn(message_id(sent), sent.recipient))
    out = io.StringIO()
    call_command("bounces", "--mailbox", str(tmp_path / "bounces"), "--keep", stdout=out)
    assert "1 email(s) marked bounced" in out.getvalue()
    assert len(box) == 1
    assert "0 email(s) marked bounced" in run_bounces(tmp_path / "bounces")
    assert AuditEntry.objects.filter(action="message_bounced").count() == 1


def test_a_missing_mailbox_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(CommandError, match="Cannot read the bounce mailbox"):
        run_bounces(tmp_path / "nowhere")
