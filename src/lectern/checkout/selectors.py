from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from lectern.checkout.models import Checkout, Step
from lectern.core.permissions import Principal
from lectern.registrations.models import Trainee
from lectern.registrations.selectors import registrations_visible_to


def checkouts_visible_to(principal: Principal) -> QuerySet[Checkout]:
    """Staff: all; a personal link: the trainee's own; a coordinator or trainer: the
    checkouts that came through a registration they can see (their memberships', the events
    they teach), never one the trainee started through another organisation."""
    if principal.is_staff:
        return Checkout.objects.all()
    visible = Q(pk__in=[])
    if principal.trainee_id is not None:
        visible |= Q(trainee_id=principal.trainee_id)
    if principal.user is not None:
        visible |= Q(registration__in=registrations_visible_to(principal).values("pk"))
    return Checkout.objects.filter(visible)


def checkout_shown_to(principal: Principal, trainee: Trainee) -> bool:
    """Whether this caller reads the trainee's checkout and certificate: yes when the
    checkout came through what they can see, or when none has started yet and the trainee
    is theirs to see at all."""
    checkout: Checkout | None = getattr(trainee, "checkout", None)
    if checkout is None:
        return True
    return checkouts_visible_to(principal).filter(pk=checkout.pk).exists()


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
