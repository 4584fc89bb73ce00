"""Scheduled rules about memberships."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef

from lectern.memberships.checkins import checkin_parts
from lectern.memberships.models import ContactRole, MembershipContact
from lectern.memberships.selectors import add_months, membership_email_context
from lectern.notifications.models import Message
from lectern.notifications.scheduler import rule
from lectern.notifications.services import message_queue


@rule("coordinator_checkins")
def coordinator_checkins(now: datetime) -> int:
    """Email coordinators at 3, 6 and 9 months into the membership year with seat usage.

    A check-in runs at the first tick on or after its day. One more than
    `CHECKIN_GRACE_DAYS` late is skipped: its figures would be stale and the next is near.
    """
    today = now.date()
    grace = settings.LECTERN["CHECKIN_GRACE_DAYS"]
    queued = 0
    for months in settings.LECTERN["CHECKIN_MONTHS"]:
        key = f"{months}m"
        sent = Message.objects.filter(
            kind="coordinator_checkin",
            key=key,
            object_type="membership",
            object_id=OuterRef("membership_id"),
            recipient=OuterRef("email"),
        )
        earliest = add_months(today - timedelta(days=grace), -months) - timedelta(days=3)
        latest = add_months(today, -months) + timedelta(days=3)
        contacts = (
            MembershipContact.objects.filter(
                role=ContactRole.COORDINATOR,
                membership__start_date__gte=earliest,
                membership__start_date__lte=latest,
            )
            .exclude(Exists(sent))
            .select_related("membership__organization")
        )
        for contact in contacts:
            membership = contact.membership
            day = add_months(membership.start_date, months)
            if not today - timedelta(days=grace) < day <= today:
                continue
            message_queue(
                kind="coordinator_checkin",
                key=key,
                to=contact.email,
                name=contact.name,
                obj=membership,
                now=now,
                context={
                    **membership_email_context(membership, today),
                    **checkin_parts(membership, today),
                    "months": months,
                },
            )
            queued += 1
    return queued
