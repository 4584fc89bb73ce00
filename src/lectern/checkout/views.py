"""Pages after the training: the trainers' roster, the review queue, the trainee's checkout."""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from lectern.certificates.services import certificate_pdf
from lectern.checkout import imports, services
from lectern.checkout.attendance import RECORDABLE, session_minutes
from lectern.checkout.models import ActivityKind, StepState
from lectern.checkout.selectors import steps_evaluable_by
from lectern.core import clock
from lectern.core.errors import DomainError, Invalid, NotFound
from lectern.core.links import back_to
from lectern.core.permissions import Principal
from lectern.core.validators import date_problem
from lectern.directory.personal_data import personal_data_erase, personal_data_export
from lectern.directory.services import directory_update
from lectern.events.deadlines import ATTENDANCE_CLOSING
from lectern.events.models import Event, EventStatus, Session
from lectern.events.selectors import local_sessions
from lectern.registrations.models import Registration, Trainee
from lectern.registrations.selectors import trainee_for_token


def _staff_or_trainer(request: HttpRequest) -> Principal:
    user = request.user
    if not (user.is_authenticated and (user.is_staff or user.is_trainer)):
        raise Http404("Not found.")
    return Principal(user=user)


def _teacher_event(request: HttpRequest, event_id: int) -> tuple[Principal, Event]:
    actor = _staff_or_trainer(request)
    event = get_object_or_404(Event.objects.prefetch_related("sessions"), pk=event_id)
    try:
        services.require_event_teacher(actor, event)
    except NotFound:
        raise Http404("Not found.") from None
    return actor, event


def _roster_registrations(event: Event) -> list[Registration]:
    return list(
        Registration.objects.select_related("trainee", "outcome")
        .prefetch_related("attendance")
        .filter(event=event, status__in=RECORDABLE)
        .order_by("trainee__name", "pk")
    )


def _posted_records(
    request: HttpRequest, registrations: list[Registration], sessions: list[Session]
) -> tuple[list[services.AttendanceRecord], dict[tuple[int, int], str]]:
    """The roster form as records: a ticked "absent" is the whole session, a number the
    minutes missed, an empty cell no record (what is recorded stays)."""
    records, posted = [], {}
    for registration in registrations:
        per_session: dict[int, int] = {}
        for index, session in enumerate(sessions, start=1):
            if request.POST.get(f"absent-{registration.pk}-{session.pk}"):
                per_session[index] = session_minutes(session)
                posted[(registration.pk, session.pk)] = str(per_session[index])
                continue
            raw = request.POST.get(f"missed-{registration.pk}-{session.pk}", "").strip()
            posted[(registration.pk, session.pk)] = raw
            if raw:
                if not raw.isdecimal():
                    raise Invalid.field(
                        f"missed-{registration.pk}-{session.pk}",
                        gettext("%(name)s, session %(number)d: give whole minutes.")
                        % {"name": registration.submitted_name, "number": index},
                    )
                per_session[index] = int(raw)
        if per_session:
            records.append(services.AttendanceRecord(registration.pk, sessions=per_session))
    return records, posted


@login_required
@require_http_methods(["GET", "POST"])
def roster(request: HttpRequest, event_id: int) -> HttpResponse:
    """Minutes missed per trainee and session (absent = the whole session), as recorded."""
    actor, event = _teacher_event(request, event_id)
    now = clock.now()
    sessions = list(event.sessions.all())
    registrations = _roster_registrations(event)
    posted: dict[tuple[int, int], str] = {}
    needs_reason = False
    if request.method == "POST":
        try:
            records, posted = _posted_records(request, registrations, sessions)
            services.attendance_record(
                actor=actor,
                event=event,
                records=records,
                reason=request.POST.get("reason", "") if actor.is_staff else "",
            )
        except DomainError as exc:
            messages.error(request, exc.explained())
            needs_reason = exc.code in ("already_certified", "session_not_started")
        else:
            messages.success(
                request, gettext("Attendance saved: %(title)s.") % {"title": event.title}
            )
            # From a list (the staff dashboard's "attendance incomplete"), back to that list
            roster_url = reverse("checkout:roster", args=[event.pk])
            return redirect(back_to(request, request.GET.get("next", ""), roster_url))
    recorded = {
        (a.registration_id, a.session_id): a.minutes_missed
        for r in registrations
        for a in r.attendance.all()
    }
    rows = []
    for r in registrations:
        cells = []
        for s in sessions:
            value = recorded.get((r.pk, s.pk))
            shown = posted.get((r.pk, s.pk), "" if value is None else str(value))
            cells.append(
                {
                    "session": s,
                    "value": shown,
                    "recorded": value is not None,
                    "length": session_minutes(s),
                    "absent": shown == str(session_minutes(s)),
                    "open": s.start <= now or actor.is_staff,
                }
            )
        outcome = getattr(r, "outcome", None)
        rows.append(
            {
                "registration": r,
                "cells": cells,
                "outcome": outcome,
                "makeup": settings.LECTERN["MAKEUP_ENABLED"]
                and actor.is_staff
                and outcome is not None
                and not outcome.passed
                and not outcome.no_show
                and outcome.minutes_missed <= settings.LECTERN["MAKEUP_MAX_MISSED_MINUTES"],
            }
        )
    return render(
        request,
        "checkout/roster.html",
        {
            "event": event,
            "sessions": local_sessions(event),
            "rows": rows,
            "limit": settings.LECTERN["ATTENDANCE_MAX_MISSED_MINUTES"],
            "makeup_enabled": settings.LECTERN["MAKEUP_ENABLED"],
            "makeup_max": settings.LECTERN["MAKEUP_MAX_MISSED_MINUTES"],
            "is_staff": actor.is_staff,
            "needs_reason": needs_reason,
            "closing": ATTENDANCE_CLOSING.words(event),
            "closed": event.status != EventStatus.SCHEDULED,
        },
    )


MAX_UPLOAD_BYTES = 2_000_000  # a participant report; requests stop at 2.5 MB


def _uploaded_report(request: HttpRequest) -> str:
    upload = request.FILES.get("report_file")
    if upload is None:
        return request.POST.get("report", "")
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise Invalid.field("report_file", gettext("The report is too large."))
    try:
        return upload.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid.field(
            "report_file", gettext("The report is not UTF-8 text; export it again as CSV.")
        ) from None


def _hand_matches(request: HttpRequest) -> dict[int, int]:
    matches = {}
    for name in request.POST:
        value = request.POST.get(name, "")
        if name.startswith("match-") and name[6:].isdecimal() and value.isdecimal():
            matches[int(name[6:])] = int(value)
    return matches


@login_required
@require_http_methods(["GET", "POST"])
def attendance_import_page(request: HttpRequest, event_id: int) -> HttpResponse:
    """Upload a participant report, preview every trainee's result and the unmatched rows
    (match them by hand), then save."""
    actor, event = _teacher_event(request, event_id)
    preview = None
    report = ""
    if request.method == "POST":
        commit = request.POST.get("action") == "save"
        try:
            report = _uploaded_report(request)
            if not report.strip():
                raise Invalid.field(
                    "report_file", gettext("Choose the participant report (CSV) to upload.")
                )
            preview = imports.attendance_import(
                actor=actor,
                event=event,
                report=report,
                commit=commit,
                matches=_hand_matches(request),
                reason=request.POST.get("reason", "") if actor.is_staff else "",
            )
        except DomainError as exc:
            messages.error(request, exc.explained())
            preview = None if not commit else preview
        else:
            if preview.committed:
                messages.success(
                    request,
                    ngettext(
                        "Attendance saved from the report for %(count)d trainee.",
                        "Attendance saved from the report for %(count)d trainees.",
                        len(preview.rows),
                    )
                    % {"count": len(preview.rows)},
                )
                return redirect("checkout:roster", event_id=event.pk)
    return render(
        request,
        "checkout/import.html",
        {
            "event": event,
            "sessions": local_sessions(event),
            "preview": preview,
            "report": report,
            "registrations": _roster_registrations(event),
            "matches": _hand_matches(request) if request.method == "POST" else {},
            "is_staff": actor.is_staff,
        },
    )


@login_required
@require_POST
def makeup(request: HttpRequest, event_id: int, registration_id: int) -> HttpResponse:
    """Staff record a makeup meeting for a failed trainee of the roster."""
    actor, event = _teacher_event(request, event_id)
    registration = get_object_or_404(Registration, pk=registration_id, event=event)
    try:
        services.attendance_makeup(actor=actor, registration=registration)
    except DomainError as exc:
        messages.error(request, exc.explained())
    else:
        messages.success(
            request,
            gettext("Makeup meeting recorded for %(name)s.")
            % {"name": registration.submitted_name},
        )
    return redirect("checkout:roster", event_id=event.pk)


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest) -> HttpResponse:
    """Submitted steps waiting for evaluation: each caller sees the steps they may evaluate
    (a trainer: the teaching demos of trainees of the events they taught)."""
    actor = _staff_or_trainer(request)
    if request.method == "POST":
        step_id = request.POST.get("step_id", "")
        if not step_id.isdecimal():
            messages.error(request, gettext("Choose a step to evaluate."))
            return redirect("checkout:review")
        step = get_object_or_404(
            steps_evaluable_by(actor).select_related("checkout__trainee"), pk=step_id
        )
        try:
            services.progress_record(
                actor=actor,
                trainee=step.checkout.trainee,
                requirement=step.requirement,
                state=request.POST.get("state", ""),
                notes=request.POST.get("notes", ""),
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                gettext("%(name)s: %(step)s recorded.")
                % {"name": step.checkout.trainee.name, "step": step.label},
            )
        return redirect("checkout:review")
    steps = (
        steps_evaluable_by(actor)
        .select_related("checkout__trainee", "checkout__registration__event")
        .prefetch_related("evidence")
        .filter(state=StepState.SUBMITTED, checkout__status="in_progress")
        .order_by("updated_at")
    )
    return render(request, "checkout/review.html", {"steps": steps})


def _trainee(token: str) -> Trainee:
    """The trainee a personal link names; a manage link (`lr_`) is not one."""
    trainee = trainee_for_token(token)
    if trainee is None:
        raise Http404("This link is not valid, or it was replaced.")
    return trainee


@require_POST
def submit_step(request: HttpRequest, token: str) -> HttpResponse:
    trainee = _trainee(token)
    raw_date = request.POST.get("date", "")
    try:
        day = dt.date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        messages.error(request, gettext("Give the date as YYYY-MM-DD."))
        return redirect("registrations:me", token=token)
    problem = date_problem(day) if day else None
    if problem:
        messages.error(request, problem)
        return redirect("registrations:me", token=token)
    evidence = services.EvidenceIn(
        kind=request.POST.get("kind", ""),
        date=day,
        url=request.POST.get("url", ""),
        description=request.POST.get("description", ""),
    )
    try:
        services.progress_record(
            actor=Principal.personal(trainee.pk),
            trainee=trainee,
            requirement=request.POST.get("requirement", ""),
            state="submitted",
            evidence=evidence,
        )
    except DomainError as exc:
        messages.error(request, exc.explained())
    else:
        messages.success(request, gettext("Submitted. Programme staff will review it."))
    return redirect("registrations:me", token=token)


def certificate_download(request: HttpRequest, token: str) -> HttpResponse:
    trainee = _trainee(token)
    certificate = getattr(trainee, "certificate", None)
    if certificate is None:
        raise Http404("No certificate yet.")
    response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.number}.pdf"'
    return response


@require_POST
def directory_settings(request: HttpRequest, token: str) -> HttpResponse:
    trainee = _trainee(token)
    try:
        directory_update(
            actor=Principal.personal(trainee.pk),
            trainee=trainee,
            changes={
                "directory_consent": bool(request.POST.get("directory_consent")),
                "github": request.POST.get("github", ""),
                "orcid": request.POST.get("orcid", ""),
                "website": request.POST.get("website", ""),
            },
        )
    except DomainError as exc:
        messages.error(request, exc.explained())
    else:
        messages.success(request, gettext("Your directory settings are saved."))
    return redirect("registrations:me", token=token)


def data_export(request: HttpRequest, token: str) -> HttpResponse:
    trainee = _trainee(token)
    data = personal_data_export(actor=Principal.personal(trainee.pk), trainee=trainee)
    response = HttpResponse(json.dumps(data, indent=2), content_type="application/json")
    response["Content-Disposition"] = 'attachment; filename="my-lectern-data.json"'
    return response


@require_http_methods(["GET", "POST"])
def data_erase(request: HttpRequest, token: str) -> HttpResponse:
    trainee = _trainee(token)
    confirm_error = ""
    if request.method == "POST":
        if request.POST.get("confirm") == "yes":
            personal_data_erase(actor=Principal.personal(trainee.pk), trainee=trainee)
            return render(request, "checkout/erased.html")
        confirm_error = gettext("Tick the box to confirm that you want your data erased.")
    return render(
        request,
        "checkout/erase.html",
        {"token": token, "confirm_error": confirm_error},
        status=422 if confirm_error else 200,
    )


ACTIVITY_KINDS = ActivityKind.choices
