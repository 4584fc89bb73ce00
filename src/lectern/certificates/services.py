"""Awarding, re-issuing and revoking certificates."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction

from lectern.certificates.models import Certificate
from lectern.checkout.models import Checkout, CheckoutStatus
from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.display import public_name
from lectern.core.errors import Conflict, Invalid
from lectern.core.permissions import Principal, require_staff
from lectern.memberships.codes import ALPHABET
from lectern.notifications.services import File
from lectern.registrations import emails


def verify_url(number: str) -> str:
    return f"{settings.BASE_URL}/verify/{number}/"


def certificate_pdf(certificate: Certificate) -> bytes:
    from lectern.certificates.pdf import CertificateText, render_certificate  # reportlab: lazily

    return render_certificate(
        CertificateText(
            programme=settings.PROGRAMME_NAME,
            name=public_name(certificate.name_on_certificate),
            awarded_on=f"{certificate.awarded_on:%d %B %Y}",
            number=certificate.number,
            signatory=settings.LECTERN["CERTIFICATE_SIGNATORY"],
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


@transaction.atomic
def certificate_reissue(
    *, actor: Principal, certificate: Certificate, reason: str, now: datetime | None = None
) -> Certificate:
    """Re-issue with the trainee's current name (e.g. a correction); the number stays."""
    require_staff(actor)
    if not reason.strip():
        raise Invalid.field("reason", "Give the reason for re-issuing.")
    now = clock.resolve(now)
    certificate = (
        Certificate.objects.select_for_update().select_related("trainee").get(pk=certificate.pk)
    )
    previous = certificate.name_on_certificate
    certificate.name_on_certificate = certificate.trainee.name
    certificate.reissued_at = now
    certificate.save(update_fields=["name_on_certificate", "reissued_at"])
    audit_log(
        actor=actor,
        action="certificate_reissued",
        obj=certificate,
        at=now,
        reason=reason,
        data={"previous_name": previous},
    )
    return certificate


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
