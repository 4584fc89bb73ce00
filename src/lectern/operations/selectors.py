"""What operators and staff need to know about the outbox and the scheduler, read from the
database so that every process and machine gives the same answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Min, Q

from lectern.core.heartbeat import TICK, heartbeat_last
from lectern.notifications.models import Message, MessageStatus


@dataclass(frozen=True)
class OutboxState:
    by_status: dict[str, int]
    due: int  # pending and due now (waiting to be sent)
    oldest_due_at: datetime | None
    oldest_due_age_seconds: float | None

    @property
    def failed(self) -> int:
        return self.by_status.get(MessageStatus.FAILED, 0)

    @property
    def bounced(self) -> int:
        return self.by_status.get(MessageStatus.BOUNCED, 0)

    @property
    def backing_up(self) -> bool:
        """The oldest due email has waited longer than `OUTBOX_BACKLOG_MINUTES`."""
        limit = settings.OPERATIONS["OUTBOX_BACKLOG_MINUTES"] * 60
        return self.oldest_due_age_seconds is not None and self.oldest_due_age_seconds > limit


def outbox_state(*, now: datetime) -> OutboxState:
    """Messages by status and the age of the oldest due one: two grouped queries."""
    counts = dict(
        Message.objects.order_by()
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    by_status = {status: counts.get(status, 0) for status in MessageStatus.values}
    due = Message.objects.filter(status=MessageStatus.PENDING, due_at__lte=now).aggregate(
        n=Count("id"), oldest=Min("due_at")
    )
    oldest = due["oldest"]
    age = max((now - oldest).total_seconds(), 0.0) if oldest is not None else None
    return OutboxState(by_status, due["n"], oldest, age)


@dataclass(frozen=True)
class SchedulerState:
    last_run_at: datetime | None
    seconds: float | None  # how long the last tick took
    seconds_since: float | None

    @property
    def silent(self) -> bool:
        """It ran once, and not in the last `SCHEDULER_SILENT_MINUTES`. A fresh install that
        has never ticked is not silent: there is nothing to have missed yet."""
        limit = settings.OPERATIONS["SCHEDULER_SILENT_MINUTES"] * 60
        return self.seconds_since is not None and self.seconds_since > limit


def scheduler_state(*, now: datetime) -> SchedulerState:
    beat = heartbeat_last(TICK)
    if beat is None:
        return SchedulerState(None, None, None)
    return SchedulerState(
        beat.last_run_at, beat.seconds, max((now - beat.last_run_at).total_seconds(), 0.0)
    )


@dataclass(frozen=True)
class Alert:
    code: str
    message: str


def staff_alerts(*, now: datetime) -> list[Alert]:
    """What the staff banner says, one line per problem that holds now."""
    outbox, scheduler = outbox_state(now=now), scheduler_state(now=now)
    alerts = []
    if outbox.failed:
        alerts.append(
            Alert("emails_failed", f"{outbox.failed} email(s) failed for good and were not sent.")
        )
    if outbox.bounced:
        alerts.append(
            Alert("emails_bounced", f"{outbox.bounced} email(s) came back undeliverable.")
        )
    if outbox.backing_up and outbox.oldest_due_age_seconds is not None:
        minutes = int(outbox.oldest_due_age_seconds // 60)
        alerts.append(
            Alert(
                "outbox_backing_up",
                f"Emails are backing up: {outbox.due} waiting, the oldest for {minutes} minutes.",
            )
        )
    if scheduler.silent and scheduler.seconds_since is not None:
        minutes = int(scheduler.seconds_since // 60)
        alerts.append(
            Alert(
                "scheduler_silent",
                f"The scheduler has not run for {minutes} minutes: reminders and emails wait.",
            )
        )
    return alerts


def messages_needing_attention() -> list[Message]:
    """Failed and bounced emails, newest first (the page the banner links to)."""
    return list(
        Message.objects.filter(
            Q(status=MessageStatus.FAILED) | Q(status=MessageStatus.BOUNCED)
        ).order_by("-due_at", "-id")[:500]
    )


def messages_bounced_to(address: str) -> list[Message]:
    return list(
        Message.objects.filter(recipient=address, status=MessageStatus.BOUNCED).order_by(
            "-due_at", "-id"
        )[:50]
    )
