"""Retention (off by default): inactive trainees are erased, old email bodies blanked."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from lectern.checkout.models import Checkout, Evidence, Step
from lectern.core.models import AuditEntry
from lectern.core.permissions import Principal
from lectern.directory.personal_data import personal_data_erase
from lectern.notifications.models import Attachment, Message, MessageStatus
from lectern.notifications.scheduler import rule
from lectern.registrations.models import Registration, Trainee, WaitlistEntry

ERASED_BODY = ""


def years_before(now: datetime, years: int) -> datetime:
    """The same moment `years` calendar years earlier (29 February becomes the 28th)."""
    try:
        return now.replace(year=now.year - years)
    except ValueError:
        return now.replace(year=now.year - years, day=28)


def trainees_inactive_since(cutoff: datetime) -> list[int]:
    """Trainees (not erased, not merged) with nothing newer than `cutoff`: no registration,
    waiting-list entry, checkout step or evidence, email or audit entry (sign-ins, changes)."""
    after = Q(created_at__gt=cutoff) | Q(changed_at__gt=cutoff)
    recent = [
        Exists(Registration.objects.filter(after, trainee=OuterRef("pk"))),
        Exists(WaitlistEntry.objects.filter(trainee=OuterRef("pk"), created_at__gt=cutoff)),
        Exists(
            Checkout.objects.filter(
                Q(started_at__gt=cutoff) | Q(certified_at__gt=cutoff), trainee=OuterRef("pk")
            )
        ),
        Exists(Step.objects.filter(checkout__trainee=OuterRef("pk"), updated_at__gt=cutoff)),
        Exists(
            Evidence.objects.filter(step__checkout__trainee=OuterRef("pk"), submitted_at__gt=cutoff)
        ),
        Exists(Message.objects.filter(recipient=OuterRef("email"), created_at__gt=cutoff)),
        Exists(
            AuditEntry.objects.filter(
                object_type="trainee", object_id=OuterRef("pk"), at__gt=cutoff
            )
        ),
    ]
    candidates = Trainee.objects.filter(
        erased_at__isnull=True, merged_into__isnull=True, created_at__lte=cutoff
    )
    for activity in recent:
        candidates = candidates.exclude(activity)
    return list(candidates.values_list("pk", flat=True))


@rule("trainee_retention", every=timedelta(hours=6))
def trainee_retention(now: datetime) -> int:
    """Erase trainees inactive for `TRAINEE_RETENTION_YEARS` (off when None)."""
    years = settings.TRAINEE_RETENTION_YEARS
    if years is None:
        return 0
    for pk in trainees_inactive_since(years_before(now, years)):
        trainee = Trainee.objects.get(pk=pk)
        personal_data_erase(actor=Principal.as_system(), trainee=trainee, now=now)
    return 0  # a rule returns the emails it wrote; erasure writes none


@rule("email_body_retention", every=timedelta(hours=6))
def email_body_retention(now: datetime) -> int:
    """Blank bodies and attachments of emails sent `EMAIL_BODY_RETENTION_DAYS` ago or more
    (off when None). Subject, recipient and status stay, for the message list."""
    days = settings.EMAIL_BODY_RETENTION_DAYS
    if days is None:
        return 0
    old = Message.objects.filter(status=MessageStatus.SENT, sent_at__lte=now - timedelta(days=days))
    Attachment.objects.filter(message__in=old).exclude(content=b"").update(content=b"")
    old.exclude(body_text=ERASED_BODY, body_html=ERASED_BODY).update(
        body_text=ERASED_BODY, body_html=ERASED_BODY, context={}
    )
    return 0
