"""Send due emails from the outbox, at least once each, through Django's email backend.

A batch is claimed in one short transaction (on PostgreSQL with SKIP LOCKED, so several
senders on several machines share the work; on SQLite the immediate transaction serialises
them), then sent on one SMTP connection, and the sent ones marked with one UPDATE at the end of
the batch. A sender killed after sending but before marking leaves its claimed rows (at most
one batch) to be sent again when the lease expires: receivers can drop
the duplicate by its stable Message-ID. Failures are retried with exponential backoff and
end as `failed` after the configured number of attempts.

An email of a kind written when it is sent is written first (`message_write`: rendered from
its object, and stored), under the same lease; a failure to write it counts as a failed
attempt, like a failure to send.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils.crypto import salted_hmac

from lectern.core import clock
from lectern.notifications.models import Message, MessageStatus
from lectern.notifications.services import messages_write

logger = logging.getLogger(__name__)


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    expired: int = 0

    def __str__(self) -> str:
        return (
            f"{self.sent} sent, {self.retried} to retry, {self.failed} failed, "
            f"{self.expired} expired"
        )


def message_id(message: Message) -> str:
    """A Message-ID derived from the row: the same on every attempt. It ends with a
    signature of the row and its recipient, so a delivery report naming it proves it came
    back from our own email (`message_signature`)."""
    domain = urlsplit(settings.BASE_URL).hostname or "lectern.invalid"
    signature = message_signature(message.pk, message.recipient)
    return f"<lectern.{message.pk}.{message.kind}.{signature}@{domain}>"


def message_signature(pk: int, recipient: str) -> str:
    return salted_hmac("lectern.message-id", f"{pk}:{recipient.lower()}").hexdigest()[:16]


def due(now: datetime) -> Q:
    return Q(status=MessageStatus.PENDING, due_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def claim(*, now: datetime, limit: int) -> tuple[str, list[Message]]:
    """Take a lease on up to `limit` due messages; return the lease token and the messages."""
    token = uuid.uuid4().hex
    lease = timedelta(seconds=settings.LECTERN["MAIL_LEASE_SECONDS"])
    with transaction.atomic():
        candidates = Message.objects.filter(due(now)).order_by("due_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("id", flat=True)[:limit])
        if not ids:
            return token, []
        Message.objects.filter(pk__in=ids).update(claimed_until=now + lease, claim_token=token)
    return token, list(
        Message.objects.filter(pk__in=ids, claim_token=token)
        .prefetch_related("attachments")
        .order_by("due_at", "id")
    )


def _email(message: Message, connection_: object) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        to=[message.recipient],
        connection=connection_,
        # RFC 3834: automatic mail, so that vacation responders and the like stay quiet
        headers={"Message-ID": message_id(message), "Auto-Submitted": "auto-generated"},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for attachment in message.attachments.all():
        email.attach(attachment.filename, bytes(attachment.content), attachment.content_type)
    return email


def _retry_delay(attempts: int) -> timedelta:
    base = settings.LECTERN["MAIL_RETRY_BASE_SECONDS"]
    return timedelta(seconds=base * 2 ** (attempts - 1))


def send_due(*, now: datetime | None = None, limit: int | None = None) -> SendReport:
    """Send every due message, batch after batch, until none is left."""
    report = SendReport()
    batch = limit or settings.LECTERN["MAIL_BATCH_SIZE"]
    while True:
        moment = now or clock.now()
        token, messages = claim(now=moment, limit=batch)
        if not messages:
            return report
        _send_batch(messages, token, moment, report)
        if limit is not None:
            return report


def _failed_attempt(
    message: Message, token: str, now: datetime, exc: Exception, report: SendReport
) -> None:
    """Record a failed attempt: retry later with backoff, or give up after the last one."""
    attempts = message.attempts + 1
    error = f"{type(exc).__name__}: {exc}"[:2000]
    mine = Message.objects.filter(pk=message.pk, claim_token=token)
    if attempts >= settings.LECTERN["MAIL_MAX_ATTEMPTS"]:
        mine.update(
            status=MessageStatus.FAILED, attempts=attempts, last_error=error, claimed_until=None
        )
        report.failed += 1
        logger.error("email %s (%s) failed for good: %s", message.pk, message.kind, error)
    else:
        mine.update(
            attempts=attempts,
            last_error=error,
            claimed_until=None,
            due_at=now + _retry_delay(attempts),
        )
        report.retried += 1


def _send_batch(messages: list[Message], token: str, now: datetime, report: SendReport) -> None:
    """Send a claimed batch on one SMTP connection, then mark what was sent and what had
    expired with one UPDATE each (a sender killed before that re-sends at most this batch)."""
    smtp = get_connection(fail_silently=False)
    try:
        smtp.open()
    except Exception as exc:
        for message in messages:
            _failed_attempt(message, token, now, exc, report)
        return
    sent: list[int] = []
    expired: list[int] = []
    try:
        unwritten = messages_write(
            [m for m in messages if m.expires_at is None or m.expires_at > now]
        )
        for message in messages:
            if message.expires_at is not None and message.expires_at <= now:
                expired.append(message.pk)
                continue
            if message.pk in unwritten:
                problem = unwritten[message.pk]
                logger.error("email %s (%s) not written: %r", message.pk, message.kind, problem)
                _failed_attempt(message, token, now, problem, report)
                continue
            try:
                _email(message, smtp).send()
            except Exception as exc:
                _failed_attempt(message, token, now, exc, report)
                smtp.close()  # the next message opens a fresh connection
                continue
            sent.append(message.pk)
    finally:
        smtp.close()
        _mark(token, sent, expired, report)


def _mark(token: str, sent: list[int], expired: list[int], report: SendReport) -> None:
    mine = Message.objects.filter(claim_token=token)
    if sent:
        report.sent += mine.filter(pk__in=sent).update(
            status=MessageStatus.SENT,
            attempts=F("attempts") + 1,
            sent_at=clock.now(),
            claimed_until=None,
        )
    if expired:
        report.expired += mine.filter(pk__in=expired).update(
            status=MessageStatus.CANCELLED,
            claimed_until=None,
            last_error="expired before it was sent",
        )
