"""Sending a registration's email again, when the trainee lost it (staff)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction

from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.errors import Conflict
from lectern.core.permissions import Principal, require_staff
from lectern.registrations import emails
from lectern.registrations.models import Registration, RegistrationStatus
from lectern.registrations.services.team import details_url

RESENDABLE = {
    RegistrationStatus.CONFIRMED: "registration_confirmed",
    RegistrationStatus.PENDING_DETAILS: "team_registration",
}


@transaction.atomic
def registration_email_resend(
    *, actor: Principal, registration: Registration, reason: str = "", now: datetime | None = None
) -> Registration:
    """Queue the registration's current email again (the confirmation, or the request for
    details of a team registration), as a new email: the audit entry's id is its key."""
    require_staff(actor)
    now = clock.resolve(now)
    kind = RESENDABLE.get(RegistrationStatus(registration.status))
    if kind is None:
        raise Conflict(
            f"A {registration.get_status_display()} registration has no email to send again.",
            code="nothing_to_resend",
        )
    entry = audit_log(
        actor=actor,
        action="email_resent",
        obj=registration,
        at=now,
        reason=reason.strip(),
        data={"kind": kind},
    )
    emails.to_trainee(
        kind,
        registration,
        key=f"resend-{entry.pk}",
        now=now,
        # the confirmation is written when it is sent, with its invitation; these are the
        # request for details'
        organisation=registration.membership.organization.name,
        details_url=details_url(registration),
        reminder_days=settings.LECTERN["TEAM_DETAILS_REMINDER_DAYS"],
    )
    return registration
