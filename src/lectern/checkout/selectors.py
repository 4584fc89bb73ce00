from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery

from lectern.checkout.models import Checkout, Step
from lectern.checkout_sessions.models import (
    HOLDS_PLACE,
    RESULTS_RECORDED,
    SessionKind,
    SessionSignup,
)
from lectern.checkout_sessions.selectors import trainees_hosted_by
from lectern.core.permissions import Principal
from lectern.events.models import Event, EventStatus
from lectern.registrations.models import Trainee
from lectern.registrations.selectors import registrations_visible_to

if TYPE_CHECKING:
    from lectern.accounts.models import User


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
        visible |= Q(trainee__in=Trainee.objects.filter(trainees_hosted_by(principal)))
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
    sessions = step_sessions(checkout)
    return {
        "status": checkout.status,
        "deadline": checkout.deadline,
        "steps": [
            {"requirement": s.requirement, "state": s.state, "session_id": sessions.get(s.pk)}
            for s in checkout.steps.all()
        ],
    }


def step_sessions(checkout: Checkout) -> dict[int, int]:
    """Step id -> the session whose result is the step's latest evidence (a welcome session
    or teaching demo), for the steps that have one."""
    latest: dict[int, int] = {}
    for step_id, session_id in (
        SessionSignup.objects.filter(evidence__step__checkout=checkout)
        .order_by("result_at", "id")
        .values_list("evidence__step_id", "session_id")
    ):
        latest[step_id] = session_id
    return latest


def _evaluable_by(principal: Principal) -> Q:
    """Steps this caller may evaluate ("who evaluates a teaching demo"): staff every step;
    the host of a welcome session or teaching demo the step of its kind for the trainees on
    it; a trainer of the trainee's training event the teaching demo of a trainee who has
    not been on a demo session (a demo recorded without a session)."""
    if principal.is_staff:
        return Q()
    if principal.user is None:
        return Q(pk__in=[])
    on_session = SessionSignup.objects.filter(
        trainee_id=OuterRef("checkout__trainee_id"),
        kind=OuterRef("requirement"),
        status__in=HOLDS_PLACE,
    )
    # The host of the trainee's latest session of the step's kind, once they have recorded
    # the trainee there (so the session has started and the trainee was not absent): not a
    # host whose session is still to come, nor one the trainee left for another.
    latest = (
        SessionSignup.objects.filter(
            trainee_id=OuterRef(OuterRef("checkout__trainee_id")),
            kind=OuterRef(OuterRef("requirement")),
            status__in=HOLDS_PLACE,
        )
        .order_by("-id")
        .values("pk")[:1]
    )
    hosted = Q(
        Exists(
            SessionSignup.objects.filter(
                pk=Subquery(latest), session__host=principal.user, status__in=RESULTS_RECORDED
            )
        )
    )
    if not principal.is_trainer:
        return hosted
    taught = Q(
        ~Exists(on_session),
        requirement=SessionKind.TEACHING_DEMO,
        checkout__registration__event__trainers=principal.user,
    )
    return hosted | taught


def steps_evaluable_by(principal: Principal) -> QuerySet[Step]:
    return Step.objects.filter(_evaluable_by(principal)).distinct()


def step_evaluable_by(principal: Principal, checkout: Checkout, requirement: str) -> bool:
    return steps_evaluable_by(principal).filter(checkout=checkout, requirement=requirement).exists()


@dataclass(frozen=True)
class IncompleteAttendance:
    event: Event
    waiting: int  # registrations still without a result
    closes_at: datetime  # then the event completes: those still waiting fail as no-shows


def attendance_incomplete(
    now: datetime, *, taught_by: User | None = None
) -> list[IncompleteAttendance]:
    """Events that have ended (not yet closed) with registrations still waiting for a
    result, the soonest to close first: one grouped query. `taught_by`: only the events
    this trainer teaches (the trainer page's "attendance due")."""
    events = Event.objects.filter(status=EventStatus.SCHEDULED, last_end__lte=now)
    if taught_by is not None:
        events = events.filter(trainers=taught_by)
    events = (
        events.annotate(waiting=Count("registrations", filter=Q(registrations__status="confirmed")))
        .filter(waiting__gt=0)
        .order_by("attendance_closes_at", "id")
    )
    return [IncompleteAttendance(e, e.waiting, e.attendance_closes_at) for e in events]
