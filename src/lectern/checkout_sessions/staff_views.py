"""Staff pages: put welcome sessions and teaching demos on the calendar, see who signed up,
cancel one with a reason. Every rule is the services'; refusals come back at their field."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from lectern.accounts.models import User
from lectern.checkout_sessions import services
from lectern.checkout_sessions.forms import CancelForm, CheckoutSessionForm
from lectern.checkout_sessions.models import HOLDS_PLACE, CheckoutSession
from lectern.checkout_sessions.selectors import sessions_upcoming
from lectern.core import clock
from lectern.core.errors import DomainError, Invalid
from lectern.core.permissions import Principal
from lectern.core.validators import record_id

# The services' field names, where the form's differ.
ALIASES = {"host_id": "host"}


def _staff(request: HttpRequest) -> Principal:
    if not request.user.is_staff:
        raise Http404("Not found.")
    return Principal(user=request.user)


def refusal_on_form(exc: DomainError, form: forms.Form) -> None:
    """A refusal on the form: at each field it names, with its code; else above the form."""
    if not exc.fields:
        form.add_error(None, ValidationError(exc.message, code=exc.code))
        return
    for name, errors in exc.fields.items():
        target = ALIASES.get(name, name)
        for error in errors:
            form.add_error(
                target if target in form.fields else None, ValidationError(error, code=exc.code)
            )


def _create(actor: Principal, data: dict[str, Any]) -> CheckoutSession:
    host = User.objects.filter(pk=record_id(data["host"]) or 0).first()
    if host is None:  # gone since the form listed it
        raise Invalid.field("host_id", "Choose a host from the list.")
    return services.checkout_session_create(
        actor=actor,
        kind=data["kind"],
        host=host,
        timezone=data["timezone"],
        start=data["start"],
        end=data["end"],
        capacity=data["capacity"],
        meeting_url=data["meeting_url"],
        title=data["title"],
        language=data["language"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def sessions_page(request: HttpRequest) -> HttpResponse:
    """The sessions that have not ended, with their sign-ups and places left, and the form
    that creates one."""
    actor = _staff(request)
    form = CheckoutSessionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                session = _create(actor, form.cleaned_data)
            except DomainError as exc:
                refusal_on_form(exc, form)
                status = exc.status
            else:
                messages.success(request, f"{session.label} created, {session.places_left} places.")
                return redirect("checkout_sessions:staff")
        form.mark_errors()
    return render(
        request,
        "checkout_sessions/staff.html",
        {"form": form, "sessions": sessions_upcoming(clock.now())},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def cancel_page(request: HttpRequest, session_id: int) -> HttpResponse:
    """Cancel a session with a reason: who will be told, then the cancellation."""
    actor = _staff(request)
    session = CheckoutSession.objects.select_related("host").filter(pk=session_id).first()
    if session is None:
        raise Http404("No such session.")
    form = CancelForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.checkout_session_cancel(
                    actor=actor, session=session, reason=form.cleaned_data["reason"]
                )
            except DomainError as exc:
                refusal_on_form(exc, form)
                status = exc.status
            else:
                messages.success(
                    request, f"{session.label} cancelled; the trainees signed up are told."
                )
                return redirect("checkout_sessions:staff")
        else:
            status = 422
        form.mark_errors()
    signed_up = session.signups.select_related("trainee").filter(status__in=HOLDS_PLACE)
    return render(
        request,
        "checkout_sessions/staff_cancel.html",
        {"session": session, "form": form, "signed_up": list(signed_up.order_by("trainee__name"))},
        status=status,
    )
