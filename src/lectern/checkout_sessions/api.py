"""Welcome sessions and teaching demos: the calendar, sign-ups and results."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from lectern.accounts.models import User
from lectern.checkout_sessions import services
from lectern.checkout_sessions.models import CheckoutSession, SessionSignup
from lectern.checkout_sessions.selectors import meeting_link_shown, sessions_visible_to
from lectern.core import clock
from lectern.core.errors import Forbidden, Invalid, NotFound
from lectern.core.permissions import (
    Principal,
    get_visible,
    principal,
    require_authenticated,
    require_staff,
)
from lectern.core.schemas import Line, Text, refusals
from lectern.events.timezones import LOCAL_FORMAT, zone
from lectern.registrations.models import Trainee

router = Router(tags=["checkout sessions"])


class CheckoutSessionIn(Schema):
    kind: Line = Field(description="welcome_session or teaching_demo")
    host_id: int = Field(description="A trainer (a welcome session: staff or a trainer)")
    timezone: Line
    start: Line = Field(description="Local wall-clock YYYY-MM-DDTHH:MM in `timezone`")
    end: Line
    capacity: int
    meeting_url: Line = Field(max_length=500)
    title: Line = Field("", max_length=200)
    language: Line = Field("en", max_length=16)


class CheckoutSessionOut(Schema):
    id: int
    kind: str
    title: str
    host_id: int
    host_name: str
    timezone: str
    start: dt.datetime
    end: dt.datetime
    local_start: str = Field(description="In the session's zone, YYYY-MM-DDTHH:MM")
    local_end: str
    capacity: int
    places_left: int
    status: str = Field(description="scheduled or cancelled")
    cancel_reason: str = Field(description="Why it was cancelled; empty while scheduled")
    cancelled_at: dt.datetime | None
    meeting_url: str | None = Field(description="Only for staff, the host and those signed up")

    @staticmethod
    def resolve_host_name(obj: CheckoutSession) -> str:
        return obj.host.get_full_name()

    @staticmethod
    def resolve_local_start(obj: CheckoutSession) -> str:
        return obj.start.astimezone(zone(obj.timezone)).strftime(LOCAL_FORMAT)

    @staticmethod
    def resolve_local_end(obj: CheckoutSession) -> str:
        return obj.end.astimezone(zone(obj.timezone)).strftime(LOCAL_FORMAT)

    @staticmethod
    def resolve_meeting_url(obj: CheckoutSession, context: dict[str, Any]) -> str | None:
        shown = meeting_link_shown(principal(context["request"]), obj)
        return obj.meeting_url if shown else None


class SignupIn(Schema):
    trainee_id: int | None = Field(None, description="Staff: the trainee; a trainee: their own")


class SignupOut(Schema):
    id: int
    session_id: int
    trainee_id: int
    kind: str
    status: str = Field(
        description="signed_up, left, released (the session was cancelled, or the checkout "
        "closed), attended, absent, passed, asked_to_repeat or failed"
    )
    result_by: str
    result_at: dt.datetime | None
    evidence_id: int | None


class ResultIn(Schema):
    trainee_id: int
    result: Line = Field(
        description="welcome_session: attended or absent; teaching_demo: passed, "
        "asked_to_repeat, failed or absent"
    )
    notes: Text = ""


class ResultsIn(Schema):
    results: list[ResultIn]


class CancelIn(Schema):
    reason: Text = Field(max_length=2000, description="Told to each trainee signed up")


def _session(request: HttpRequest, session_id: int) -> CheckoutSession:
    caller = principal(request)
    require_authenticated(caller)
    return get_visible(sessions_visible_to(caller), session_id, "session")


def _trainee(caller: Principal, trainee_id: int | None) -> Trainee:
    """The trainee a sign-up is for: the caller's own (personal link), or staff's choice."""
    if caller.trainee_id is not None:
        if trainee_id not in (None, caller.trainee_id):
            raise NotFound("No such trainee.")
        return Trainee.objects.get(pk=caller.trainee_id)
    if caller.is_staff:
        if trainee_id is None:
            raise Invalid.field("trainee_id", "Give the trainee to sign up.")
        return get_visible(Trainee.objects.filter(erased_at__isnull=True), trainee_id, "trainee")
    if caller.registration_id is not None:
        raise NotFound("No such trainee.")
    raise Forbidden("Trainees sign up with their personal link; staff for them.")


@router.get("/checkout-sessions", response={200: list[CheckoutSessionOut], **refusals(403)})
@paginate
def session_list(request: HttpRequest, kind: str | None = None, upcoming: bool = False) -> Any:
    """Staff: every session; a host: theirs; a trainee (personal link): scheduled ones and
    their own. Soonest first; `upcoming=true` keeps those that have not started."""
    caller = principal(request)
    require_authenticated(caller)
    sessions = sessions_visible_to(caller)
    if kind:
        sessions = sessions.filter(kind=kind)
    if upcoming:
        sessions = sessions.filter(start__gt=clock.now())
    return sessions.order_by("start", "id")


@router.post("/checkout-sessions", response={201: CheckoutSessionOut, **refusals(403)})
def session_create(request: HttpRequest, payload: CheckoutSessionIn) -> Any:
    caller = principal(request)
    require_staff(caller)
    host = User.objects.filter(pk=payload.host_id).first()
    if host is None:
        raise Invalid.field("host_id", f"No user with id {payload.host_id}.")
    session = services.checkout_session_create(
        actor=caller,
        kind=payload.kind,
        host=host,
        timezone=payload.timezone,
        start=payload.start,
        end=payload.end,
        capacity=payload.capacity,
        meeting_url=payload.meeting_url,
        title=payload.title,
        language=payload.language,
    )
    return Status(201, session)


@router.get("/checkout-sessions/{session_id}", response={200: CheckoutSessionOut, **refusals(404)})
def session_detail(request: HttpRequest, session_id: int) -> Any:
    return _session(request, session_id)


@router.post(
    "/checkout-sessions/{session_id}/signup",
    response={201: SignupOut, **refusals(403, 404, 409)},
)
def session_signup(request: HttpRequest, session_id: int, payload: SignupIn) -> Any:
    """Sign up (or move your sign-up of this kind here) until the session starts."""
    caller = principal(request)
    session = _session(request, session_id)
    trainee = _trainee(caller, payload.trainee_id)
    signup = services.checkout_session_signup(actor=caller, trainee=trainee, session=session)
    return Status(201, signup)


@router.post(
    "/checkout-sessions/{session_id}/leave",
    response={200: SignupOut, **refusals(403, 404, 409)},
)
def session_leave(request: HttpRequest, session_id: int, payload: SignupIn) -> Any:
    """Leave a session before it starts."""
    caller = principal(request)
    session = _session(request, session_id)
    trainee = _trainee(caller, payload.trainee_id)
    return services.checkout_session_leave(actor=caller, trainee=trainee, session=session)


@router.get(
    "/checkout-sessions/{session_id}/signups",
    response={200: list[SignupOut], **refusals(404)},
)
def session_signups(request: HttpRequest, session_id: int) -> Any:
    """The host and staff: who is on the session, and each result."""
    caller = principal(request)
    session = _session(request, session_id)
    services.require_host(caller, session)
    return list(SessionSignup.objects.filter(session=session).order_by("id"))


@router.post(
    "/checkout-sessions/{session_id}/results",
    response={200: list[SignupOut], **refusals(403, 404, 409)},
)
def session_results(request: HttpRequest, session_id: int, payload: ResultsIn) -> Any:
    """The host (or staff) records each attendee's result once the session has started."""
    caller = principal(request)
    session = _session(request, session_id)
    services.require_host(caller, session)
    return services.checkout_session_results(
        actor=caller,
        session=session,
        results=[services.ResultIn(r.trainee_id, r.result, r.notes) for r in payload.results],
    )


@router.post(
    "/checkout-sessions/{session_id}/cancel",
    response={200: CheckoutSessionOut, **refusals(403, 404, 409)},
)
def session_cancel(request: HttpRequest, session_id: int, payload: CancelIn) -> Any:
    """Staff cancel a session with a reason: its sign-ups give their places back and each
    trainee is emailed once; it then refuses sign-ups and results (409 `session_cancelled`).
    Refused again (409 `session_cancelled`) and once a result is recorded (409
    `session_has_results`)."""
    caller = principal(request)
    session = _session(request, session_id)
    require_staff(caller)
    return services.checkout_session_cancel(actor=caller, session=session, reason=payload.reason)
