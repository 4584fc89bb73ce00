from __future__ import annotations

from typing import Any

from lectern.checkout.models import Checkout
from lectern.registrations.models import Trainee


def checkout_summary(trainee: Trainee) -> dict[str, Any]:
    """The checkout block of a trainee in the API: status, deadline (a date), steps."""
    checkout: Checkout | None = getattr(trainee, "checkout", None)
    if checkout is None:
        return {"status": "not_started", "deadline": None, "steps": []}
    return {
        "status": checkout.status,
        "deadline": checkout.deadline,
        "steps": [{"requirement": s.requirement, "state": s.state} for s in checkout.steps.all()],
    }
