from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from lectern.checkout.models import Checkout, Step
from lectern.core.permissions import Principal
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


def _evaluable_by(principal: Principal) -> Q:
    """Steps this caller may evaluate ("who evaluates a teaching demo"): staff every
    step; a trainer the teaching demo of trainees whose training event they taught. (Demo
    sessions, hosted by a trainer, will add their host here.)"""
    if principal.is_staff:
        return Q()
    if principal.user is None or not principal.is_trainer:
        return Q(pk__in=[])
    return Q(requirement="teaching_demo", checkout__registration__event__trainers=principal.user)


def steps_evaluable_by(principal: Principal) -> QuerySet[Step]:
    return Step.objects.filter(_evaluable_by(principal)).distinct()


def step_evaluable_by(principal: Principal, checkout: Checkout, requirement: str) -> bool:
    return steps_evaluable_by(principal).filter(checkout=checkout, requirement=requirement).exists()
