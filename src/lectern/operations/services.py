"""Operators' writes on the outbox: sending failed emails again, marking bounced ones."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction

from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.permissions import Principal, require_staff
from lectern.notifications.models import Message, MessageStatus

RETRYABLE = (MessageStatus.FAILED, MessageStatus.BOUNCED)


@transaction.atomic
def messages_retry(
    *, actor: Principal, ids: Iterable[int] | None = None, now: datetime | None = None
) -> int:
    """Send failed emails again from the first attempt: the given ones (failed or bounced,
    e.g. after a trainee fixed their mailbox), or, without ids, every failed one (a bounced
    address would bounce again). Return how many were queued."""
    require_staff(actor)
    now = clock.resolve(now)
    chosen = Message.objects.select_for_update()
    if ids is None:
        chosen = chosen.filter(status=MessageStatus.FAILED)
    else:
        chosen = chosen.filter(pk__in=list(ids), status__in=RETRYABLE)
    messages = list(chosen.order_by("id"))
    for message in messages:
        audit_log(
            actor=actor,
            action="message_retried",
            obj=message,
            at=now,
            data={"status": message.status, "attempts": message.attempts},
        )
    Message.objects.filter(pk__in=[m.pk for m in messages]).update(
        status=MessageStatus.PENDING,
        attempts=0,
        due_at=now,
        claimed_until=None,
        claim_token="",
    )
    return len(messages)


# Only an email that went out can come back (a report naming one still due is forged).
BOUNCEABLE = (MessageStatus.SENT, MessageStatus.FAILED)


@transaction.atomic
def message_bounce(
    *,
    actor: Principal,
    message_id: int,
    recipient: str,
    status: str,
    diagnostic: str,
    now: datetime | None = None,
) -> bool:
    """Mark an email bounced from a delivery report naming it and its recipient; False when
    no such email (or it is already bounced, or cancelled). A retry is a staff decision."""
    require_staff(actor)
    now = clock.resolve(now)
    message = (
        Message.objects.select_for_update()
        .filter(pk=message_id, recipient__iexact=recipient, status__in=BOUNCEABLE)
        .first()
    )
    if message is None:
        return False
    error = f"bounced ({status or 'no status'}): {diagnostic or 'no diagnostic'}"[:2000]
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.BOUNCED, last_error=error, claimed_until=None
    )
    audit_log(actor=actor, action="message_bounced", obj=message, at=now, data={"status": status})
    return True
