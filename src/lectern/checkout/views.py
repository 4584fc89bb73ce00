"""Pages after the training: the trainers' roster, the review queue, the trainee's checkout."""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from lectern.certificates.services import certificate_pdf
from lectern.checkout import services
from lectern.checkout.models import ActivityKind, StepState
from lectern.checkout.selectors import steps_evaluable_by
from lectern.core.errors import DomainError, NotFound
from lectern.core.permissions import Principal
from lectern.core.validators import date_problem
from lectern.directory.personal_data import personal_data_erase, personal_data_export
from lectern.directory.services import directory_update
from lectern.events.models import Event
from lectern.events.selectors import local_sessions
from lectern.registrations.models import Registration, RegistrationStatus, Trainee
from lectern.registrations.selectors import trainee_for_token


def _staff_or_trainer(request: HttpRequest) -> Principal:
    user = request.user
    if not (user.is_authenticated and (user.is_staff or user.is_trainer)):
        raise Http404("Not found.")
    return Principal(user=user)


@login_required
@require_http_methods(["GET", "POST"])
def roster(request: HttpRequest, event_id: int) -> HttpResponse:
    """Record minutes missed per trainee and session (absent = the whole session)."""
    actor = _staff_or_trainer(request)
    event = get_object_or_404(Event.objects.prefetch_related("sessions"), pk=event_id)
    try:
        services.require_event_teacher(actor, event)
    except NotFound:
        raise Http404("Not found.") from None
    sessions = list(event.sessions.all())
    registrations = list(
        Registration.objects.select_related("trainee")
        .filter(
            event=event,
            status__in=[
                RegistrationStatus.CONFIRMED,
                RegistrationStatus.ATTENDED,
                RegistrationStatus.FAILED,
            ],
        )
        .order_by("trainee__name")
    )
    if request.method == "POST":
        records = []
        for registration in registrations:
            per_session = {}
            for session in sessions:
                length = int((session.end - session.start).total_seconds() // 60)
                if request.POST.get(f"absent-{registration.pk}-{session.pk}"):
                    per_session[session.pk] = length
                else:
                    raw = request.POST.get(f"missed-{registration.pk}-{session.pk}", "0") or "0"
                    per_session[session.pk] = int(raw) if raw.isdecimal() else -1
            records.append(services.AttendanceRecord(registration.pk, sessions=per_session))
        try:
            services.attendance_record(actor=actor, event=event, records=records)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Attendance recorded for {len(records)} trainees.")
            return redirect("checkout:roster", event_id=event.pk)
    missed = {
        (a.registration_id, a.session_id): a.minutes_missed
        for r in registrations
        for a in r.attendance.all()
    }
    rows = [
        {
            "registration": r,
            "cells": [
                {
                    "session": s,
                    "missed": missed.get((r.pk, s.pk), 0),
                    "length": int((s.end - s.start).total_seconds() // 60),
                }
                for s in sessions
            ],
        }
        for r in registrations
    ]
    return render(
        request,
        "checkout/roster.html",
        {
            "event": event,
            "sessions": local_sessions(event),
            "rows": rows,
            "limit": settings.LECTERN["ATTENDANCE_MAX_MISSED_MINUTES"],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest) -> HttpResponse:
    """Submitted steps waiting for evaluation: each caller sees the steps they may evaluate
    (a trainer: the teaching demos of trainees of the events they taught)."""
    actor = _staff_or_trainer(request)
    if request.method == "POST":
        step_id = request.POST.get("step_id", "")
        if not step_id.isdecimal():
            messages.error(request, "Choose a step to evaluate.")
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
                f"{step.checkout.trainee.name}: {step.requirement.replace('_', ' ')} recorded.",
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
        messages.error(request, "Give the date as YYYY-MM-DD.")
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
        messages.success(request, "Submitted. Programme staff will review it.")
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
        messages.success(request, "Your directory settings are saved.")
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
        confirm_error = "Tick the box to confirm that you want your data erased."
    return render(
        request,
        "checkout/erase.html",
        {"token": token, "confirm_error": confirm_error},
        status=422 if confirm_error else 200,
    )


ACTIVITY_KINDS = ActivityKind.choices
