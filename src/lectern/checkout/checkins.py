"""The trainees' progress in a coordinator's check-in (see `memberships/checkins.py`):
each trainee registered through the membership, with their event, result, checkout steps
and deadline; only what came through this membership, as coordinators see it."""

from __future__ import annotations

from datetime import date
from typing import Any

from lectern.checkout.models import Checkout
from lectern.memberships.checkins import checkin_part_register
from lectern.memberships.models import Membership
from lectern.registrations.models import Registration, RegistrationStatus

RESULTS = {
    RegistrationStatus.CONFIRMED: "registered",
    RegistrationStatus.ATTENDED: "passed the training",
    RegistrationStatus.FAILED: "did not pass the training",
    RegistrationStatus.FORFEITED: "withdrew after the cutoff",
}
STEP_LABELS = {
    "welcome_session": "Welcome Session",
    "get_involved": "Get Involved",
    "teaching_demo": "Teaching Demo",
}


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
                "checkout": checkout.status.replace("_", " ") if checkout else "",
                "deadline": checkout.deadline if checkout else None,
                "steps": [
                    {
                        "label": STEP_LABELS.get(s.requirement, s.requirement),
                        "state": s.state.replace("_", " "),
                    }
                    for s in (checkout.steps.all() if checkout else [])
                ],
            }
        )
    return {"trainees_progress": rows}
