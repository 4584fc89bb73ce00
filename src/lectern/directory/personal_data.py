"""A trainee's personal data: export everything, or erase it while keeping the figures."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.forms.models import model_to_dict

from lectern.certificates.models import Certificate, SupersededCertificate
from lectern.checkout.models import Evidence
from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.models import AuditEntry
from lectern.core.permissions import Principal
from lectern.directory.services import _owner_or_staff
from lectern.notifications.models import Attachment, Message, MessageStatus
from lectern.registrations.models import Registration, Trainee, WaitlistEntry
from lectern.registrations.services.leave import trainee_leave


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


def personal_data_export(*, actor: Principal, trainee: Trainee) -> dict[str, Any]:
    """Everything held about the trainee, as plain JSON-ready data."""
    _owner_or_staff(actor, trainee)
    checkout = getattr(trainee, "checkout", None)
    certificate = getattr(trainee, "certificate", None)
    profile = model_to_dict(trainee)
    profile["country"] = str(trainee.country)
    data: dict[str, Any] = {
        "trainee": profile,
        "registrations": [
            {
                **model_to_dict(r, exclude=["manage_nonce"]),
                "event_title": r.event.title,
                "outcome": model_to_dict(r.outcome) if hasattr(r, "outcome") else None,
            }
            for r in trainee.registrations.select_related("event").all()
        ],
        "waiting_list": [model_to_dict(w) for w in trainee.waitlist_entries.all()],
        "checkout": None
        if checkout is None
        else {
            **model_to_dict(checkout),
            "steps": [
                {**model_to_dict(s), "evidence": [model_to_dict(e) for e in s.evidence.all()]}
                for s in checkout.steps.all()
            ],
            "extensions": [
                model_to_dict(e, exclude=["granted_by"]) for e in checkout.extensions.all()
            ],
        },
        "certificate": None if certificate is None else model_to_dict(certificate),
        "emails": [
            model_to_dict(m, fields=["kind", "subject", "status", "due_at", "sent_at", "body_text"])
            for m in Message.objects.filter(recipient=trainee.email)
        ],
    }
    return dict(_plain(data))


ERASED_NAME = "Erased trainee"


@transaction.atomic
def personal_data_erase(
    *, actor: Principal, trainee: Trainee, now: datetime | None = None
) -> Trainee:
    """End what still runs (a confirmed registration is withdrawn with its seat released,
    waiting-list entries end, unsent emails are cancelled), then blank personal data,
    including every stored copy of the name in emails and their attachments. Registrations,
    seat ledgers, outcomes and counts stay, so every statistic and `lectern check-seats` still
    add up."""
    _owner_or_staff(actor, trainee)
    now = clock.resolve(now)
    trainee_leave(actor=actor, trainee=trainee, reason="erased", now=now)
    old_email = trainee.email
    names = {trainee.name.strip()}
    names.update(
        Certificate.objects.filter(trainee=trainee).values_list("name_on_certificate", flat=True)
    )
    superseded = SupersededCertificate.objects.filter(certificate__trainee=trainee)
    names.update(superseded.values_list("name_on_certificate", flat=True))
    audited = _audit_about(trainee)
    names.update(_names_in(audited))
    trainee.name = ERASED_NAME
    trainee.email = f"erased-{trainee.pk}@erased.invalid"
    trainee.affiliation = ""
    trainee.teaching_experience = ""
    trainee.technologies = []
    trainee.carpentries_experience = []
    trainee.timezone = ""
    trainee.github = trainee.orcid = trainee.website = ""
    trainee.directory_consent = False
    trainee.erased_at = now
    trainee.save()
    theirs = Message.objects.filter(recipient=old_email)
    theirs.filter(status=MessageStatus.PENDING).update(status=MessageStatus.CANCELLED)
    Attachment.objects.filter(message__in=theirs).update(content=b"")
    theirs.update(
        recipient=trainee.email,
        recipient_name="",
        subject="(erased)",
        body_text="",
        body_html="",
        context={},
        written=True,  # nothing is written from the trainee later, if one is ever sent again
    )
    for name in sorted(n for n in names if n):
        _name_scrub(name)
    Certificate.objects.filter(trainee=trainee).update(name_on_certificate=ERASED_NAME)
    # A number re-issued after a name correction still verifies (as superseded): without
    # the name it carried.
    superseded.update(name_on_certificate=ERASED_NAME)
    Evidence.objects.filter(step__checkout__trainee=trainee).update(url="", description="")
    # What was typed with each registration or waiting-list entry, and the audit trail's
    # copies of names (corrections, requests, re-issues): the counts stay, the words go
    Registration.objects.filter(trainee=trainee).update(submitted_details={})
    WaitlistEntry.objects.filter(trainee=trainee).update(submitted_details={})
    audited.exclude(data={}).update(data={})
    audit_log(actor=actor, action="personal_data_erased", obj=trainee, at=now)
    return trainee


def _audit_about(trainee: Trainee) -> QuerySet[AuditEntry]:
    """The audit entries about the trainee, their registrations and their certificates."""
    about = Q(object_type="trainee", object_id=trainee.pk)
    for model, ids in (
        ("registration", Registration.objects.filter(trainee=trainee)),
        ("certificate", Certificate.objects.filter(trainee=trainee)),
    ):
        about |= Q(object_type=model, object_id__in=ids.values("pk"))
    return AuditEntry.objects.filter(about)


NAME_KEYS = ("from", "to", "name", "previous_name")


def _names_in(entries: QuerySet[AuditEntry]) -> set[str]:
    """Names the audit entries recorded (a correction's before and after, a re-issue's old
    name), so that emails carrying an earlier spelling are scrubbed too."""
    found = set()
    for data in entries.exclude(data={}).values_list("data", flat=True):
        for key in NAME_KEYS:
            value = data.get(key) if isinstance(data, dict) else None
            if isinstance(value, str) and value.strip():
                found.add(value.strip())
    return found


def _name_scrub(name: str) -> None:
    """Replace the name in emails to other people (coordinators, trainers), and blank those
    emails' attachments that carry it (attachments of the trainee's own emails are blanked
    whole: a certificate PDF's text is compressed, so it cannot be searched)."""
    mentions = Message.objects.filter(
        Q(subject__contains=name) | Q(body_text__contains=name) | Q(body_html__contains=name)
    )
    needle = name.encode()
    for attachment in Attachment.objects.filter(message__in=mentions).only("pk", "content"):
        if needle in bytes(attachment.content):
            Attachment.objects.filter(pk=attachment.pk).update(content=b"")
    for message in mentions.only("pk", "subject", "body_text", "body_html"):
        message.subject = message.subject.replace(name, ERASED_NAME)
        message.body_text = message.body_text.replace(name, ERASED_NAME)
        message.body_html = message.body_html.replace(name, ERASED_NAME)
        message.context = {}  # the values it read may hold the name
        message.save(update_fields=["subject", "body_text", "body_html", "context"])
