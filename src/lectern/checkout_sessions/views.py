"""Pages: the trainee signs up and leaves from their personal page; the host records results."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from lectern.checkout_sessions import services
from lectern.checkout_sessions.models import HOLDS_PLACE, CheckoutSession, SignupStatus
from lectern.checkout_sessions.selectors import sessions_visible_to
from lectern.core import clock
from lectern.core.errors import DomainError, NotFound
from lectern.core.permissions import Principal
from lectern.registrations.models import Trainee
from lectern.registrations.selectors import trainee_for_token


def _trainee(token: str) -> Trainee:
    trainee = trainee_for_token(token)
    if trainee is None:
        raise Http404("This link is not valid, or it was replaced.")
    return trainee


def _visible(actor: Principal, session_id: int) -> CheckoutSession:
    session = sessions_visible_to(actor).filter(pk=session_id).first()
    if session is None:
        raise Http404("No such session.")
    return session


def _back(token: str, session: CheckoutSession) -> HttpResponse:
    return redirect(reverse("registrations:me", args=[token]) + f"#sessions-{session.kind}")


@require_POST
def me_signup(request: HttpRequest, token: str, session_id: int) -> HttpResponse:
    trainee = _trainee(token)
    actor = Principal.personal(trainee.pk)
    session = _visible(actor, session_id)
    try:
        services.checkout_session_signup(actor=actor, trainee=trainee, session=session)
    except DomainError as exc:
        messages.error(request, exc.explained())
    else:
        messages.success(
            request, gettext("You are signed up: %(session)s.") % {"session": session.label}
        )
    return _back(token, session)


@require_POST
def me_leave(request: HttpRequest, token: str, session_id: int) -> HttpResponse:
    trainee = _trainee(token)
    actor = Principal.personal(trainee.pk)
    session = _visible(actor, session_id)
    try:
        services.checkout_session_leave(actor=actor, trainee=trainee, session=session)
    except DomainError as exc:
        messages.error(request, exc.explained())
    else:
        messages.success(
            request, gettext("You have left the %(kind)s.") % {"kind": session.get_kind_display()}
        )
    return _back(token, session)


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, session_id: int) -> HttpResponse:
    """The host's (and staff's) page of a session: who signed up, and their results."""
    actor = Principal(user=request.user)  # type: ignore[arg-type]
    session = _visible(actor, session_id)
    try:
        services.require_host(actor, session)
    except NotFound:
        raise Http404("No such session.") from None
    signups = list(
        session.signups.select_related("trainee")
        .filter(status__in=HOLDS_PLACE)
        .order_by("trainee__name")
    )
    status = 200
    if request.method == "POST":
        results = [
            services.ResultIn(
                s.trainee_id,
                request.POST.get(f"result-{s.trainee_id}", ""),
                request.POST.get(f"notes-{s.trainee_id}", "").strip(),
            )
            for s in signups
            if request.POST.get(f"result-{s.trainee_id}")
        ]
        try:
            services.checkout_session_results(actor=actor, session=session, results=results)
        except DomainError as exc:
            messages.error(request, exc.explained())
            status = exc.status
        else:
            messages.success(
                request,
                ngettext(
                    "Results recorded for %(count)d trainee.",
                    "Results recorded for %(count)d trainees.",
                    len(results),
                )
                % {"count": len(results)},
            )
            return redirect("checkout_sessions:detail", session_id=session.pk)
    allowed = services.RESULTS[session.kind]
    return render(
        request,
        "checkout_sessions/detail.html",
        {
            "session": session,
            "signups": signups,
            "started": session.start <= clock.now(),
            "results": [(value, SignupStatus(value).label) for value in allowed],
        },
        status=status,
    )
