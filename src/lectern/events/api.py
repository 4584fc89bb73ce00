"""Event and calendar endpoints of the API (the README lists them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from lectern.core import clock
from lectern.core.errors import Invalid
from lectern.core.permissions import get_visible, principal, require_staff
from lectern.core.schemas import Line, Text, refusals
from lectern.core.validators import DATE_RANGE
from lectern.events import services
from lectern.events.ical import calendar_ics
from lectern.events.models import Event
from lectern.events.selectors import (
    calendar_events,
    calendar_quarters,
    can_see_private_details,
    event_format,
    event_warnings,
    events_visible_to,
    local_sessions,
    registration_cutoff,
    with_schedule,
)
from lectern.memberships.models import Membership
from lectern.memberships.selectors import memberships_visible_to

router = Router(tags=["events"])


LOCAL_TIME = f"Local wall-clock time in the event's zone, YYYY-MM-DDTHH:MM, {DATE_RANGE}"


class SessionIn(Schema):
    start: Line = Field(max_length=32, description=LOCAL_TIME)
    end: Line = Field(max_length=32, description=LOCAL_TIME)


class EventIn(Schema):
    title: Line = Field(max_length=200)
    timezone: Line = Field(max_length=64, description="IANA zone, e.g. America/New_York")
    sessions: list[SessionIn]
    capacity: int
    min_enrolment: int
    meeting_url: Line = Field("", max_length=500)
    preparation_notes: Text = ""
    language: Line = Field("en", max_length=16)
    public: bool = True
    membership_id: int | None = Field(None, description="In-house event of this membership.")
    trainer_ids: list[int] = []
    run_regardless: bool = False
    status: Line = Field("scheduled", description="`completed` or `cancelled` to import history")


class EventPatch(Schema):
    title: Line | None = Field(None, max_length=200)
    timezone: Line | None = Field(None, max_length=64)
    sessions: list[SessionIn] | None = None
    capacity: int | None = None
    min_enrolment: int | None = None
    meeting_url: Line | None = Field(None, max_length=500)
    preparation_notes: Text | None = None
    language: Line | None = Field(None, max_length=16)
    public: bool | None = None
    membership_id: int | None = None
    trainer_ids: list[int] | None = None
    run_regardless: bool | None = None
    reason: Text | None = Field(
        None,
        description="Why the event changes; told to trainees. Needed (else 409 "
        "`reason_required`) when new sessions put the cutoff in the past or the event after "
        "a registered trainee's membership end.",
    )


class CancelIn(Schema):
    reason: Text


class SessionOut(Schema):
    start: datetime
    end: datetime


class LocalSessionOut(Schema):
    start: str
    end: str
    utc_offset: str


class EventOut(Schema):
    id: int
    title: str
    timezone: str
    sessions: list[SessionOut]
    sessions_local: list[LocalSessionOut]
    format: str
    capacity: int
    min_enrolment: int
    status: str
    registration_closes_at: datetime
    seats_left: int
    run_regardless: bool
    language: str
    public: bool
    membership_id: int | None
    trainer_ids: list[int]
    url: str
    meeting_url: str | None = Field(description="Staff and the event's trainers only.")
    preparation_notes: str | None = Field(description="Staff and the event's trainers only.")
    warnings: list[str]

    @staticmethod
    def resolve_seats_left(obj: Event) -> int:
        return obj.places_left

    @staticmethod
    def resolve_sessions(obj: Event) -> list[dict[str, datetime]]:
        return [{"start": s.start, "end": s.end} for s in obj.sessions.all()]

    @staticmethod
    def resolve_sessions_local(obj: Event) -> list[dict[str, str]]:
        return [
            {"start": s.local_start_text, "end": s.local_end_text, "utc_offset": s.offset}
            for s in local_sessions(obj)
        ]

    @staticmethod
    def resolve_format(obj: Event) -> str:
        return event_format(obj)

    @staticmethod
    def resolve_registration_closes_at(obj: Event) -> datetime:
        return registration_cutoff(obj)

    @staticmethod
    def resolve_trainer_ids(obj: Event) -> list[int]:
        return sorted(t.pk for t in obj.trainers.all())

    @staticmethod
    def resolve_url(obj: Event) -> str:
        from django.conf import settings

        return f"{settings.BASE_URL}/events/{obj.pk}/"

    @staticmethod
    def resolve_meeting_url(obj: Event, context: Any) -> str | None:
        return (
            obj.meeting_url if can_see_private_details(principal(context["request"]), obj) else None
        )

    @staticmethod
    def resolve_preparation_notes(obj: Event, context: Any) -> str | None:
        if can_see_private_details(principal(context["request"]), obj):
            return obj.preparation_notes
        return None

    @staticmethod
    def resolve_warnings(obj: Event, context: Any) -> list[str]:
        return event_warnings(obj) if principal(context["request"]).is_staff else []


QUARTER = Query(None, description="e.g. 2027-Q1; default: the current and the next quarter")


def _membership(request: HttpRequest, membership_id: int | None) -> Membership | None:
    if membership_id is None:
        return None
    try:
        return memberships_visible_to(principal(request)).get(pk=membership_id)
    except Membership.DoesNotExist:
        raise Invalid.field("membership_id", f"No membership with id {membership_id}.") from None


def event_visible(request: HttpRequest, event_id: int) -> Event:
    """The event with its schedule, if the caller may see it; else 404."""
    visible = with_schedule(events_visible_to(principal(request)))
    return get_visible(visible, event_id, "event")


def _local(sessions: list[SessionIn]) -> list[services.LocalTimes]:
    return [services.LocalTimes(s.start, s.end) for s in sessions]


@router.post("/events", response={201: EventOut, **refusals(403)})
def event_create(request: HttpRequest, payload: EventIn) -> Status:
    caller = principal(request)
    require_staff(caller)
    event = services.event_create(
        actor=caller,
        title=payload.title,
        timezone=payload.timezone,
        sessions=_local(payload.sessions),
        capacity=payload.capacity,
        min_enrolment=payload.min_enrolment,
        meeting_url=payload.meeting_url,
        preparation_notes=payload.preparation_notes,
        language=payload.language,
        public=payload.public,
        membership=_membership(request, payload.membership_id),
        trainer_ids=payload.trainer_ids,
        run_regardless=payload.run_regardless,
        status=payload.status,
    )
    return Status(201, event_visible(request, event.pk))


@router.get("/events", response=list[EventOut])
@paginate
def event_list(request: HttpRequest) -> Any:
    """Every event the caller may see, newest first."""
    return with_schedule(events_visible_to(principal(request))).order_by("-first_start", "-id")


@router.get("/events/{event_id}", response={200: EventOut, **refusals(404)})
def event_detail(request: HttpRequest, event_id: int) -> Any:
    return event_visible(request, event_id)


@router.patch("/events/{event_id}", response={200: EventOut, **refusals(403, 404, 409)})
def event_update(request: HttpRequest, event_id: int, payload: EventPatch) -> Any:
    caller = principal(request)
    event = event_visible(request, event_id)
    require_staff(caller)
    changes = payload.dict(exclude_unset=True)
    reason = changes.pop("reason", None) or ""
    for name, value in list(changes.items()):
        if value is None and name not in {"membership_id"}:
            raise Invalid.field(name, "This field cannot be empty.")
    if "sessions" in changes:
        changes["sessions"] = _local(payload.sessions or [])
    if "membership_id" in changes:
        changes["membership"] = _membership(request, changes.pop("membership_id"))
    services.event_update(actor=caller, event=event, changes=changes, reason=reason)
    return event_visible(request, event_id)


@router.get("/calendar", response={200: list[EventOut], **refusals()}, auth=None)
@paginate
def calendar(request: HttpRequest, quarter: str | None = QUARTER) -> Any:
    """Public scheduled events of the current and next quarter (or of `quarter`)."""
    now = clock.now()
    return calendar_events(calendar_quarters(quarter, now.date()), now)


@router.get(
    "/calendar.ics",
    auth=None,
    response={200: None, **refusals()},
    openapi_extra={
        "responses": {200: {"description": "iCalendar feed", "content": {"text/calendar": {}}}}
    },
)
def calendar_feed(request: HttpRequest, quarter: str | None = QUARTER) -> HttpResponse:
    now = clock.now()
    events = calendar_events(calendar_quarters(quarter, now.date()), now)
    body = calendar_ics(events, now=now, name="Instructor training calendar")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="lectern-calendar.ics"'
    return response
