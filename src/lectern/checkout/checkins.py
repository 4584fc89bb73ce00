"""The trainees' progress in a coordinator's check-in (see `memberships/checkins.py`):
each trainee registered through the membership, with their event, result, checkout steps
and deadline; only what came through this membership, as coordinators see it."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from lectern.checkout.models import Checkout, CheckoutStatus, StepState
from lectern.memberships.checkins import checkin_part_register
from lectern.memberships.models import Membership
from lectern.registrations.models import Registration, RegistrationStatus

# Words the email reads in its own language (translated when it is rendered)
RESULTS = {
    RegistrationStatus.CONFIRMED: _("registered"),
    RegistrationStatus.ATTENDED: _("passed the training"),
    RegistrationStatus.FAILED: _("did not pass the training"),
    RegistrationStatus.FORFEITED: _("withdrew after the cutoff"),
}
STEP_LABELS = {
    "welcome_session": _("Welcome Session"),
    "get_involved": _("Get Involved"),
    "teaching_demo": _("Teaching Demo"),
}


def _lower_label(choices: type[CheckoutStatus] | type[StepState], value: str) -> str:
    return str(choices(value).label).lower() if value in choices.values else value


_lower_label_lazy = lazy(_lower_label, str)


@checkin_part_register
def trainees_progress(membership: Membership, today: date) -> dict[str, Any]:
    registrations = (
        Registration.objects.filter(membership=membership, status__in=list(RESULTS))
        .select_related("trainee", "event")
        .order_by("event__first_start", "pk")
    )
    checkouts = {
        c.registration_id: c
        for c in Checkout.objects.filter(registration__membership=membership).prefetch_related(
            "steps"
        )
    }
    rows = []
    for r in registrations:
        checkout = checkouts.get(r.pk)
        rows.append(
            {
                "name": r.submitted_name,
                "event": r.event.title,
                "event_date": r.event.first_local_date,
                "result": RESULTS[RegistrationStatus(r.status)],
                "checkout": _lower_label_lazy(CheckoutStatus, checkout.status) if checkout else "",
                "deadline": checkout.deadline if checkout else None,
                "steps": [
                    {
                        "label": STEP_LABELS.get(s.requirement, s.requirement),
                        "state": _lower_label_lazy(StepState, s.state),
                    }
                    for s in (checkout.steps.all() if checkout else [])
                ],
            }
        )
    return {"trainees_progress": rows}
