"""Attendance, trainees' checkout, extensions, personal data."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, JsonResponse
from ninja import Field, Router, Schema

from lectern.checkout import imports, services
from lectern.checkout.reports import MAX_REPORT_CHARACTERS
from lectern.checkout.selectors import checkout_shown_to, checkout_summary
from lectern.core.permissions import (
    get_visible,
    principal,
    require_authenticated,
    require_staff,
)
from lectern.core.schemas import Day, Line, Text, refusals
from lectern.directory.merge import trainee_merge
from lectern.directory.personal_data import personal_data_erase, personal_data_export
from lectern.directory.services import directory_update
from lectern.events.models import Event
from lectern.events.selectors import events_visible_to
from lectern.registrations.api import RegistrationOut
from lectern.registrations.models import Trainee
from lectern.registrations.selectors import trainees_visible_to

router = Router(tags=["checkout"])


class SessionMissedIn(Schema):
    session_index: int = Field(..., ge=1, le=1000, description="1-based, in session order")
    minutes_missed: int = Field(..., ge=0, le=100_000)


class AttendanceRecordIn(Schema):
    registration_id: int
    minutes_missed: int | None = Field(
        None, ge=0, le=100_000, description="Total minutes missed (one figure per trainee)"
    )
    sessions: list[SessionMissedIn] | None = Field(None, description="Or per session")


class AttendanceIn(Schema):
    records: list[AttendanceRecordIn]
    confirm_reason: Text = Field(
        "", description="Staff: confirm a change of a certified instructor's result"
    )
    override_reason: Text = Field(
        "", description="Staff: record sessions that have not started (history)"
    )


def attendance_records(records: list[AttendanceRecordIn]) -> list[services.AttendanceRecord]:
    return [
        services.AttendanceRecord(
            r.registration_id,
            r.minutes_missed,
            {s.session_index: s.minutes_missed for s in r.sessions} if r.sessions else None,
        )
        for r in records
    ]


class StepOut(Schema):
    requirement: str
    state: str
    session_id: int | None = Field(
        None, description="The welcome session or teaching demo whose result is its evidence"
    )


class CheckoutOut(Schema):
    status: str
    deadline: dt.date | None
    steps: list[StepOut]


class TraineeOut(Schema):
    id: int
    name: str
    email: str
    checkout: CheckoutOut | None = Field(
        description="null when the checkout came through another organisation's membership"
    )
    certificate_id: int | None
    directory_consent: bool
    github: str
    orcid: str
    website: str

    @staticmethod
    def resolve_checkout(obj: Trainee, context: dict[str, Any]) -> dict[str, Any] | None:
        if not checkout_shown_to(principal(context["request"]), obj):
            return None
        return checkout_summary(obj)

    @staticmethod
    def resolve_certificate_id(obj: Trainee, context: dict[str, Any]) -> int | None:
        certificate = getattr(obj, "certificate", None)
        if certificate is None or not checkout_shown_to(principal(context["request"]), obj):
            return None
        return int(certificate.pk)


class ProgressIn(Schema):
    requirement: Line
    state: Line
    date: Day | None = None
    url: Line = Field("", max_length=500)
    notes: Text = ""
    reason: Text = Field("", description="Staff recording a step by hand: why")
    kind: Line = Field("", description="Get Involved: served, github, meeting or other")
    description: Text = ""


class ExtensionIn(Schema):
    reason: Text


class DirectoryIn(Schema):
    directory_consent: bool | None = None
    github: Line | None = Field(None, max_length=39)
    orcid: Line | None = Field(None, max_length=19)
    website: Line | None = Field(None, max_length=300)


def _trainee(request: HttpRequest, trainee_id: int) -> Trainee:
    caller = principal(request)
    require_authenticated(caller)
    return get_visible(
        trainees_visible_to(caller).select_related("checkout"), trainee_id, "trainee"
    )


@router.post(
    "/events/{event_id}/attendance",
    response={200: list[RegistrationOut], **refusals(403, 404, 409)},
)
def attendance(request: HttpRequest, event_id: int, payload: AttendanceIn) -> Any:
    caller = principal(request)
    require_authenticated(caller)
    event = get_visible(events_visible_to(caller), event_id, "event")
    return services.attendance_record(
        actor=caller,
        event=Event.objects.get(pk=event.pk),
        records=attendance_records(payload.records),
        reason=(payload.confirm_reason or payload.override_reason).strip(),
    )


class MatchIn(Schema):
    line: int = Field(..., ge=1)
    registration_id: int


class ImportIn(Schema):
    report: str = Field(
        ..., max_length=MAX_REPORT_CHARACTERS, description="The participant report (CSV)"
    )
    commit: bool = False
    matches: list[MatchIn] = Field(default_factory=list, description="Rows matched by hand")
    confirm_reason: Text = ""
    override_reason: Text = ""


class SessionMissedOut(Schema):
    session_index: int
    minutes_missed: int


class ImportRowOut(Schema):
    registration_id: int
    name: str
    minutes_missed: int
    outcome: str = Field(..., description="passed, failed, no_show, or pending")
    sessions: list[SessionMissedOut]
    lines: list[int]


class UnmatchedOut(Schema):
    line: int
    name: str
    email: str
    minutes: int


class ImportOut(Schema):
    rows: list[ImportRowOut]
    unmatched: list[UnmatchedOut]
    sessions: list[int] = Field(..., description="1-based indexes of the sessions covered")
    committed: bool


@router.post(
    "/events/{event_id}/attendance/import",
    response={200: ImportOut, **refusals(403, 404, 409, 422)},
)
def attendance_import(request: HttpRequest, event_id: int, payload: ImportIn) -> Any:
    """Preview (`commit: false`) or record a video-conference participant report."""
    caller = principal(request)
    require_authenticated(caller)
    event = get_visible(events_visible_to(caller), event_id, "event")
    return imports.attendance_import(
        actor=caller,
        event=Event.objects.get(pk=event.pk),
        report=payload.report,
        commit=payload.commit,
        matches={m.line: m.registration_id for m in payload.matches},
        reason=(payload.confirm_reason or payload.override_reason).strip(),
    )


@router.get("/trainees/{trainee_id}", response={200: TraineeOut, **refusals(404)})
def trainee_detail(request: HttpRequest, trainee_id: int) -> Any:
    return _trainee(request, trainee_id)


@router.post(
    "/trainees/{trainee_id}/progress", response={200: TraineeOut, **refusals(403, 404, 409)}
)
def progress(request: HttpRequest, trainee_id: int, payload: ProgressIn) -> Any:
    trainee = _trainee(request, trainee_id)
    services.progress_record(
        actor=principal(request),
        trainee=trainee,
        requirement=payload.requirement,
        state=payload.state,
        notes=payload.notes,
        reason=payload.reason,
        evidence=services.EvidenceIn(
            kind=payload.kind,
            date=payload.date,
            url=payload.url,
            description=payload.description or payload.notes,
        ),
    )
    return _trainee(request, trainee_id)


@router.post(
    "/trainees/{trainee_id}/extensions", response={200: TraineeOut, **refusals(403, 404, 409)}
)
def extension(request: HttpRequest, trainee_id: int, payload: ExtensionIn) -> Any:
    trainee = _trainee(request, trainee_id)
    services.extension_grant(actor=principal(request), trainee=trainee, reason=payload.reason)
    return _trainee(request, trainee_id)


@router.patch("/trainees/{trainee_id}/directory", response={200: TraineeOut, **refusals(403, 404)})
def directory_settings(request: HttpRequest, trainee_id: int, payload: DirectoryIn) -> Any:
    """The trainee's directory consent and public links; withdrawing consent is immediate."""
    trainee = _trainee(request, trainee_id)
    directory_update(
        actor=principal(request), trainee=trainee, changes=payload.dict(exclude_unset=True)
    )
    return _trainee(request, trainee_id)


@router.get("/trainees/{trainee_id}/export", response={200: dict, **refusals(403, 404)})
def export(request: HttpRequest, trainee_id: int) -> JsonResponse:
    """Everything held about the trainee, as JSON."""
    trainee = _trainee(request, trainee_id)
    data = personal_data_export(actor=principal(request), trainee=trainee)
    response = JsonResponse(data, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="lectern-data-{trainee.pk}.json"'
    return response


class ErasedOut(Schema):
    id: int
    erased: bool


@router.post("/trainees/{trainee_id}/erase", response={200: ErasedOut, **refusals(403, 404)})
def erase(request: HttpRequest, trainee_id: int) -> Any:
    """Blank the trainee's personal data; registrations, ledgers and statistics remain."""
    trainee = _trainee(request, trainee_id)
    personal_data_erase(actor=principal(request), trainee=trainee)
    return {"id": trainee.pk, "erased": True}


class MergeIn(Schema):
    into_trainee_id: int
    reason: Text = ""


@router.post("/trainees/{trainee_id}/merge", response={200: TraineeOut, **refusals(403, 404, 409)})
def merge(request: HttpRequest, trainee_id: int, payload: MergeIn) -> Any:
    """Staff: merge this trainee record into another one of the same person."""
    actor = principal(request)
    require_staff(actor)
    trainee = get_visible(Trainee.objects.all(), trainee_id, "trainee")
    into = get_visible(Trainee.objects.all(), payload.into_trainee_id, "trainee")
    survivor = trainee_merge(actor=actor, trainee=trainee, into=into, reason=payload.reason)
    return Trainee.objects.select_related("checkout").get(pk=survivor.pk)
