"""Merging two trainee records that are the same person (staff only).

Everything the person did moves to the survivor: registrations (with their memberships, so the
seat ledger needs no entry and `lectern check-seats` stays clean), waiting-list entries,
checkout with its steps and evidence, certificate, and the trainee's audit history. The
merged-away record keeps its row (registrations' history points through it no longer) and is
marked `merged_into`; its address is retired so that it cannot sign in or register again.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from lectern.certificates.models import Certificate
from lectern.checkout.models import Checkout, CheckoutStatus
from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.errors import Conflict, Invalid
from lectern.core.locking import lock
from lectern.core.models import AuditEntry
from lectern.core.permissions import Principal, require_staff
from lectern.registrations.models import (
    HOLDING,
    Registration,
    Trainee,
    WaitlistEntry,
    WaitlistStatus,
)


class MergeConflict(Conflict):
    code = "merge_conflict"
    default_message = "These trainee records cannot be merged."


def _merge_check(trainee: Trainee, into: Trainee) -> None:
    """Refuse a merge that would lose or double something."""
    if trainee.pk == into.pk:
        raise MergeConflict("A trainee record cannot be merged into itself.")
    for record, which in ((trainee, "merged"), (into, "surviving")):
        if record.merged_into_id is not None:
            raise MergeConflict(
                f"The {which} record (trainee {record.pk}) was already merged into trainee "
                f"{record.merged_into_id}."
            )
        if record.erased_at is not None:
            raise MergeConflict(f"The {which} record (trainee {record.pk}) has been erased.")
    active = Registration.objects.filter(
        trainee__in=[trainee.pk, into.pk], status__in=HOLDING
    ).values_list("trainee_id", flat=True)
    if set(active) == {trainee.pk, into.pk}:
        raise MergeConflict(
            "Both records have a confirmed registration; withdraw or move one of them first."
        )
    checkouts = {c.trainee_id: c for c in Checkout.objects.filter(trainee__in=[trainee, into])}
    if len(checkouts) == 2:
        mine, theirs = checkouts[trainee.pk], checkouts[into.pk]
        if mine.status != CheckoutStatus.EXPIRED and theirs.status != CheckoutStatus.EXPIRED:
            raise MergeConflict(
                f"Both records have a checkout ({mine.status} and {theirs.status}); "
                "only one can continue."
            )
        if mine.status != CheckoutStatus.EXPIRED:
            raise MergeConflict(
                "The surviving record has an expired checkout and the other one a checkout "
                f"{mine.status}; merge the other way round."
            )


@transaction.atomic
def trainee_merge(
    *,
    actor: Principal,
    trainee: Trainee,
    into: Trainee,
    reason: str,
    now: datetime | None = None,
) -> Trainee:
    """Move everything of `trainee` to `into` (the same person) and retire `trainee`."""
    require_staff(actor)
    reason = reason.strip()
    if not reason:
        raise Invalid.field("reason", "Give the reason for merging these records.")
    now = clock.resolve(now)
    registration_ids = list(
        Registration.objects.filter(trainee__in=[trainee.pk, into.pk]).values_list("pk", flat=True)
    )
    locked = lock(registrations=registration_ids, trainees=[trainee.pk, into.pk])
    if len(locked.trainees) < 2 and trainee.pk != into.pk:
        raise MergeConflict("One of these trainee records no longer exists.")
    trainee, into = locked.trainees[trainee.pk], locked.trainees[into.pk]
    _merge_check(trainee, into)
    moved = {
        "registrations": Registration.objects.filter(trainee=trainee).update(trainee=into),
        "waiting_list_ended": _waitlist_move(trainee, into, now),
    }
    moved["waiting_list"] = WaitlistEntry.objects.filter(trainee=trainee).update(trainee=into)
    if not Checkout.objects.filter(trainee=into).exists():
        moved["checkout"] = Checkout.objects.filter(trainee=trainee).update(trainee=into)
    if not Certificate.objects.filter(trainee=into).exists():
        moved["certificate"] = Certificate.objects.filter(trainee=trainee).update(trainee=into)
    moved["history"] = AuditEntry.objects.filter(
        object_type="trainee", object_id=trainee.pk
    ).update(object_id=into.pk)
    old_email = trainee.email
    trainee.email = f"merged-{trainee.pk}@merged.invalid"
    trainee.merged_into = into
    trainee.merged_at = now
    trainee.directory_consent = False
    trainee.save(update_fields=["email", "merged_into", "merged_at", "directory_consent"])
    data = {"merged_trainee_id": trainee.pk, "merged_email": old_email, "moved": moved}
    audit_log(actor=actor, action="trainee_merged", obj=into, at=now, reason=reason, data=data)
    audit_log(
        actor=actor,
        action="trainee_merged_away",
        obj=trainee,
        at=now,
        reason=reason,
        data={"into_trainee_id": into.pk},
    )
    return into


def _waitlist_move(trainee: Trainee, into: Trainee, now: datetime) -> int:
    """End the merged record's waiting-list entries for events the survivor already waits
    for (one entry per person and event)."""
    open_statuses = [WaitlistStatus.WAITING, WaitlistStatus.OFFERED]
    theirs = WaitlistEntry.objects.filter(trainee=into, status__in=open_statuses).values("event")
    return WaitlistEntry.objects.filter(
        trainee=trainee, status__in=open_statuses, event__in=theirs
    ).update(status=WaitlistStatus.ENDED)
