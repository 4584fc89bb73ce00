"""Reads about welcome sessions and teaching demos: who sees which, and how times read."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum

from lectern.checkout_sessions.models import (
    HOLDS_PLACE,
    CheckoutSession,
    CheckoutSessionStatus,
    SessionSignup,
    SignupStatus,
)
from lectern.core.permissions import Principal
from lectern.events.timezones import offset_label, span_text, zone


def local_time_label(session: CheckoutSession) -> str:
    """`Tue 2 Mar 2027, 15:00-16:00 CET (UTC+01:00)`: the session in its own zone."""
    tz = zone(session.timezone)
    start, end = session.start.astimezone(tz), session.end.astimezone(tz)
    return f"{span_text(start, end)} ({offset_label(start)})"


def sessions_visible_to(principal: Principal) -> QuerySet[CheckoutSession]:
    """Staff: all; a trainer or staff host: the sessions they host; a trainee's personal
    link: the scheduled sessions (to sign up) and those they are on."""
    sessions = CheckoutSession.objects.select_related("host")
    if principal.is_staff:
        return sessions
    visible = Q(pk__in=[])
    if principal.user is not None:
        visible |= Q(host=principal.user)
    if principal.trainee_id is not None:
        visible |= Q(status=CheckoutSessionStatus.SCHEDULED)
        visible |= Q(signups__trainee_id=principal.trainee_id)
    return sessions.filter(visible).distinct()


def meeting_link_shown(principal: Principal, session: CheckoutSession) -> bool:
    """The meeting link: staff, the host, and the trainees signed up for the session."""
    if principal.is_staff:
        return True
    if principal.user is not None and principal.user.pk == session.host_id:
        return True
    if principal.trainee_id is None:
        return False
    return session.signups.filter(trainee_id=principal.trainee_id, status__in=HOLDS_PLACE).exists()


def sessions_open_for(kind: str, now: datetime) -> QuerySet[CheckoutSession]:
    """Scheduled sessions of a kind that have not started, soonest first."""
    return CheckoutSession.objects.select_related("host").filter(
        kind=kind, status=CheckoutSessionStatus.SCHEDULED, start__gt=now
    )


def sessions_upcoming(now: datetime, *, limit: int = 200) -> list[CheckoutSession]:
    """Staff's list: sessions that have not ended (cancelled ones too, marked), soonest
    first, each with `holding`, its sign-ups that hold a place, and their trainees: three
    queries."""
    holding = SessionSignup.objects.select_related("trainee").filter(status__in=HOLDS_PLACE)
    return list(
        CheckoutSession.objects.select_related("host")
        .filter(end__gt=now)
        .prefetch_related(Prefetch("signups", holding.order_by("trainee__name"), "holding"))
        .order_by("start", "id")[:limit]
    )


def sessions_ahead(now: datetime) -> tuple[int, int]:
    """How many scheduled sessions have not started, and their places left: one query."""
    totals = CheckoutSession.objects.filter(
        status=CheckoutSessionStatus.SCHEDULED, start__gt=now
    ).aggregate(n=Count("id"), left=Sum(F("capacity") - F("places_taken")))
    return totals["n"] or 0, totals["left"] or 0


def signups_of(trainee_id: int) -> QuerySet[SessionSignup]:
    return (
        SessionSignup.objects.select_related("session__host")
        .filter(trainee_id=trainee_id)
        .exclude(status=SignupStatus.LEFT)
        .order_by("-session__start")
    )


def signups_to_record(principal: Principal, now: datetime) -> QuerySet[SessionSignup]:
    """Sign-ups of started sessions this caller hosts (staff: all) still without a result."""
    signups = SessionSignup.objects.select_related("session", "trainee").filter(
        status=SignupStatus.SIGNED_UP,
        session__start__lte=now,
        session__status=CheckoutSessionStatus.SCHEDULED,
    )
    if not principal.is_staff:
        if principal.user is None:
            return signups.none()
        signups = signups.filter(session__host=principal.user)
    return signups.order_by("session__start", "trainee__name")


def trainees_hosted_by(principal: Principal) -> Q:
    """A filter on trainees: those signed up (or with a result) on sessions this user hosts."""
    if principal.user is None:
        return Q(pk__in=[])
    return Q(
        pk__in=SessionSignup.objects.filter(
            session__host=principal.user, status__in=HOLDS_PLACE
        ).values("trainee_id")
    )
