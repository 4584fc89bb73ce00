"""The trainee's own record: details confirmed from a registration, and their personal link.

A registration keeps the details typed with it (`Registration.submitted_details`); they become
the trainee's only here, by the trainee (their personal link) or by staff."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext

from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.errors import Conflict, Invalid, NotFound
from lectern.core.models import AuditEntry
from lectern.core.permissions import Principal
from lectern.notifications.services import message_queue, recipient_language
from lectern.registrations.emails import personal_url
from lectern.registrations.models import Registration, Trainee
from lectern.registrations.tokens import new_nonce

APPLIED = ("name", "affiliation", "country", "timezone", "directory_consent")
PROFILE = ("technologies", "usage_frequency", "carpentries_experience", "teaching_experience")


def _owner_or_staff(actor: Principal, trainee_id: int, what: str) -> None:
    if not (actor.is_staff or actor.acts_as_trainee(trainee_id)):
        raise NotFound(f"No {what} is visible to you.")


def trainee_details_differences(registration: Registration) -> dict[str, tuple[object, object]]:
    """What the registration's submitted details would change: field -> (stored, submitted)."""
    trainee, given = registration.trainee, registration.submitted_details
    changes: dict[str, tuple[object, object]] = {}
    for name in (*APPLIED, *PROFILE):
        if name not in given:
            continue
        stored = str(trainee.country) if name == "country" else getattr(trainee, name)
        if stored != given[name]:
            changes[name] = (stored, given[name])
    return changes


@transaction.atomic
def trainee_details_apply(
    *, actor: Principal, registration: Registration, now: datetime | None = None
) -> Trainee:
    """Make the details submitted with a registration the trainee's own (name, affiliation,
    country, consents and profile), confirmed by the trainee or done by staff."""
    _owner_or_staff(actor, registration.trainee_id, "registration")
    now = clock.resolve(now)
    trainee = Trainee.objects.get(pk=registration.trainee_id)
    if trainee.erased_at is not None:
        raise Conflict(gettext("This trainee's data was erased."), code="trainee_erased")
    changes = trainee_details_differences(registration)
    values = {name: value for name, (_, value) in changes.items()}
    if values:  # one UPDATE, guarded: erasure in between is not undone
        Trainee.objects.filter(pk=trainee.pk, erased_at__isnull=True).update(**values)
        trainee.refresh_from_db()
    audit_log(
        actor=actor,
        action="trainee_details_applied",
        obj=trainee,
        at=now,
        data={"registration": registration.pk, "fields": sorted(changes)},
    )
    return trainee


def trainee_link_replace(
    *, actor: Principal, trainee: Trainee, now: datetime | None = None
) -> Trainee:
    """Replace the trainee's personal link: a new nonce (every earlier `lt_` link stops
    working), and the new link emailed to them."""
    _owner_or_staff(actor, trainee.pk, "trainee")
    now = clock.resolve(now)
    with transaction.atomic():
        nonce = new_nonce()
        if not Trainee.objects.filter(pk=trainee.pk, erased_at__isnull=True).update(
            link_nonce=nonce
        ):
            raise Conflict(gettext("This trainee's data was erased."), code="trainee_erased")
        trainee = Trainee.objects.get(pk=trainee.pk)
        audit_log(actor=actor, action="trainee_link_replaced", obj=trainee, at=now)
        message_queue(
            kind="trainee_link_replaced",
            key=trainee.link_nonce[:8],
            to=trainee.email,
            name=trainee.name,
            obj=trainee,
            now=now,
            context={"trainee": trainee, "personal_url": personal_url(trainee)},
            language=recipient_language(),
        )
    return trainee


NAME_REQUESTED, NAME_CORRECTED = "name_change_requested", "trainee_name_corrected"


def name_change_requested(trainee: Trainee) -> str | None:
    """The name the trainee asked for from their page, if staff have not acted since."""
    entry = (
        AuditEntry.objects.filter(
            object_type="trainee", object_id=trainee.pk, action__in=[NAME_REQUESTED, NAME_CORRECTED]
        )
        .order_by("-at", "-pk")
        .first()
    )
    if entry is None or entry.action != NAME_REQUESTED:
        return None
    return str(entry.data.get("name", "")) or None


@transaction.atomic
def trainee_name_request(
    *, actor: Principal, trainee: Trainee, name: str, now: datetime | None = None
) -> str:
    """The trainee asks staff to correct their name (from their personal page); staff
    accept it in the back office, which re-issues any certificate."""
    if not actor.acts_as_trainee(trainee.pk):
        raise NotFound(gettext("No trainee is visible to you."))
    name = name.strip()
    if not name or len(name) > 200:
        raise Invalid.field(
            "name", gettext("Give your name as it should appear (up to 200 characters).")
        )
    if name == trainee.name:
        raise Invalid.field("name", gettext("This is already your name."))
    now = clock.resolve(now)
    audit_log(actor=actor, action=NAME_REQUESTED, obj=trainee, at=now, data={"name": name})
    return name
