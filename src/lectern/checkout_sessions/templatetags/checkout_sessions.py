"""Sections other pages include: the trainee's sessions on their personal page, the host's
sessions on the trainer page and the review queue."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from lectern.checkout.models import CheckoutStatus, StepState
from lectern.checkout_sessions.models import SessionKind, SignupStatus
from lectern.checkout_sessions.selectors import (
    local_time_label,
    sessions_open_for,
    signups_of,
    signups_to_record,
)
from lectern.core import clock
from lectern.core.permissions import Principal

register = template.Library()


@register.filter
def session_local(session: Any) -> str:
    """The session's time in its own zone, with the offset."""
    return local_time_label(session)


@register.inclusion_tag("checkout_sessions/_personal.html")
def trainee_sessions(trainee: Any, token: str) -> dict[str, Any]:
    """For each session kind among the checkout's open steps: the trainee's sign-up (with its
    meeting link) and the sessions they may sign up for, or change to."""
    now = clock.now()
    checkout = getattr(trainee, "checkout", None)
    if checkout is None or checkout.status != CheckoutStatus.IN_PROGRESS:
        return {"kinds": [], "token": token}
    steps = {s.requirement: s for s in checkout.steps.all()}
    signups = list(signups_of(trainee.pk))
    kinds = []
    for kind in SessionKind:
        if kind.value not in settings.LECTERN["CHECKOUT_REQUIREMENTS"]:
            continue
        step = steps.get(kind.value)
        current = next(
            (s for s in signups if s.kind == kind.value and s.status == SignupStatus.SIGNED_UP),
            None,
        )
        kinds.append(
            {
                "kind": kind,
                "passed": step is not None and step.state == StepState.PASSED,
                "current": current,
                "started": current is not None and current.session.start <= now,
                "past": [s for s in signups if s.kind == kind.value and s is not current],
                "open": [
                    s
                    for s in sessions_open_for(kind.value, now)
                    if current is None or s.pk != current.session_id
                ][:20],
            }
        )
    return {"kinds": kinds, "token": token}


@register.inclusion_tag("checkout_sessions/_host.html")
def host_sessions(user: Any) -> dict[str, Any]:
    """The trainer page: sessions this user hosts that have not ended, and the sign-ups of
    started ones still without a result ("demos to record")."""
    now = clock.now()
    actor = Principal(user=user)
    upcoming = list(user.checkout_sessions_hosted.filter(end__gte=now).order_by("start")[:50])
    return {"upcoming": upcoming, "to_record": list(signups_to_record(actor, now)[:100])}


@register.inclusion_tag("checkout_sessions/_to_record.html")
def sessions_to_record(user: Any) -> dict[str, Any]:
    """The review queue: the sign-ups of this host's started sessions awaiting a result
    (staff: every host's)."""
    return {"to_record": list(signups_to_record(Principal(user=user), clock.now())[:100])}
