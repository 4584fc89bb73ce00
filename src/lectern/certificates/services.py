"""Awarding, re-issuing and revoking certificates."""

from __future__ import annotations

import secrets
from datetime import date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction

from lectern.certificates.models import Certificate, SupersededCertificate
from lectern.checkout.models import Checkout, CheckoutStatus
from lectern.checkout_sessions.places import future_signups_release
from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.display import public_name
from lectern.core.errors import Conflict, Invalid
from lectern.core.permissions import Principal, require_staff
from lectern.memberships.codes import ALPHABET
from lectern.notifications.services import File
from lectern.registrations import emails
from lectern.registrations.models import Trainee
from lectern.registrations.services.trainee import name_change_requested


def verify_url(number: str) -> str:
    return f"{settings.BASE_URL}/verify/{number}/"


def award_date_text(awarded_on: date) -> str:
    """ "1 December 2026": the day without a leading zero, the month's English name."""
    return f"{awarded_on.day} {MONTHS[awarded_on.month - 1]} {awarded_on.year}"


MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def certificate_pdf(certificate: Certificate) -> bytes:
    from lectern.certificates.pdf import CertificateText, render_certificate  # reportlab: lazily

    return render_certificate(
        CertificateText(
            programme=settings.PROGRAMME_NAME,
            name=public_name(certificate.name_on_certificate),
            awarded_on=award_date_text(certificate.awarded_on),
            number=certificate.number,
            signatory=settings.LECTERN["CERTIFICATE_SIGNATORY"],
            signatory_title=settings.LECTERN["CERTIFICATE_SIGNATORY_TITLE"],
            verify_url=verify_url(certificate.number),
        )
    )


def _new_number(year: int) -> str:
    return f"LI-{year}-" + "".join(secrets.choice(ALPHABET) for _ in range(6))


def certificate_award(*, checkout: Checkout, now: datetime | None = None) -> Certificate:
    """Certify a trainee whose every step has passed: award, certificate, email with the PDF.

    Called inside `progress_record`'s transaction with the checkout row locked, so it
    happens once however many evaluations land at the same moment.
    """
    now = clock.resolve(now)
    if checkout.status == CheckoutStatus.CERTIFIED:
        return checkout.trainee.certificate
    trainee = checkout.trainee
    existing = Certificate.objects.filter(trainee=trainee).first()
    if existing is not None:  # certified again after a revocation: same number
        existing.awarded_on, existing.revoked_at, existing.revoke_reason = now.date(), None, ""
        existing.name_on_certificate = trainee.name
        existing.save()
        certificate = existing
    else:
        for _ in range(5):
            try:
                with transaction.atomic():
                    certificate = Certificate.objects.create(
                        trainee=trainee,
                        number=_new_number(now.year),
                        awarded_on=now.date(),
                        name_on_certificate=trainee.name,
                        issued_at=now,
                    )
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - 23**6 numbers a year
            raise RuntimeError("could not find an unused certificate number")
    checkout.status = CheckoutStatus.CERTIFIED
    checkout.certified_at = now
    checkout.save(update_fields=["status", "certified_at"])
    future_signups_release(trainee_id=trainee.pk, why="certified", now=now)
    audit_log(actor=Principal.as_system(), action="certified", obj=certificate, at=now)
    emails.to_trainee(
        "certified",
        checkout.registration,
        about=certificate,
        now=now,
        certificate=certificate,
        verify_url=verify_url(certificate.number),
        files=[
            File(
                f"certificate-{certificate.number}.pdf",
                "application/pdf",
                certificate_pdf(certificate),
            )
        ],
    )
    return certificate


def _unused_number(year: int) -> str:
    for _ in range(5):
        number = _new_number(year)
        if not (
            Certificate.objects.filter(number=number).exists()
            or SupersededCertificate.objects.filter(number=number).exists()
        ):
            return number
    raise RuntimeError("could not find an unused certificate number")  # pragma: no cover


@transaction.atomic
def certificate_reissue(
    *, actor: Principal, certificate: Certificate, reason: str, now: datetime | None = None
) -> Certificate:
    """Re-issue with the trainee's current name (e.g. a correction) under a new number; the
    old number is kept as superseded, so verifying it says so and names the new one."""
    require_staff(actor)
    if not reason.strip():
        raise Invalid.field("reason", "Give the reason for re-issuing.")
    now = clock.resolve(now)
    certificate = (
        Certificate.objects.select_for_update().select_related("trainee").get(pk=certificate.pk)
    )
    previous, old_number = certificate.name_on_certificate, certificate.number
    SupersededCertificate.objects.create(
        certificate=certificate,
        number=old_number,
        name_on_certificate=previous,
        awarded_on=certificate.awarded_on,
        superseded_at=now,
        reason=reason.strip(),
    )
    certificate.number = _unused_number(now.year)
    certificate.name_on_certificate = certificate.trainee.name
    certificate.reissued_at = now
    certificate.save(update_fields=["number", "name_on_certificate", "reissued_at"])
    audit_log(
        actor=actor,
        action="certificate_reissued",
        obj=certificate,
        at=now,
        reason=reason,
        data={"previous_name": previous, "previous_number": old_number},
    )
    return certificate


@transaction.atomic
def trainee_name_correct(
    *,
    actor: Principal,
    trainee: Trainee,
    name: str = "",
    reason: str,
    now: datetime | None = None,
) -> Trainee:
    """Staff correct a trainee's name, with a reason; without `name`, the name the trainee
    asked for from their page. A certificate is re-issued with the new name."""
    require_staff(actor)
    reason = reason.strip()
    if not reason:
        raise Invalid.field("reason", "Give the reason for the correction.")
    now = clock.resolve(now)
    name = name.strip() or (name_change_requested(trainee) or "")
    if not name:
        raise Invalid.field("name", "Give the corrected name (the trainee asked for none).")
    trainee = Trainee.objects.select_for_update().get(pk=trainee.pk)
    if trainee.erased_at is not None:
        raise Conflict("This trainee's data was erased.", code="trainee_erased")
    previous = trainee.name
    trainee.name = name
    trainee.save(update_fields=["name"])
    audit_log(
        actor=actor,
        action="trainee_name_corrected",
        obj=trainee,
        at=now,
        reason=reason,
        data={"from": previous, "to": name},
    )
    certificate = Certificate.objects.filter(trainee=trainee).first()
    if certificate is not None and certificate.name_on_certificate != name:
        certificate_reissue(
            actor=actor, certificate=certificate, reason=f"name corrected: {reason}", now=now
        )
    return trainee


@transaction.atomic
def certificate_revoke(
    *, actor: Principal, certificate: Certificate, reason: str, now: datetime | None = None
) -> Certificate:
    require_staff(actor)
    if not reason.strip():
        raise Invalid.field("reason", "Give the reason for revoking.")
    now = clock.resolve(now)
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.revoked_at is not None:
        raise Conflict("This certificate is already revoked.", code="already_revoked")
    certificate.revoked_at = now
    certificate.revoke_reason = reason.strip()
    certificate.save(update_fields=["revoked_at", "revoke_reason"])
    audit_log(actor=actor, action="certificate_revoked", obj=certificate, at=now, reason=reason)
    return certificate
