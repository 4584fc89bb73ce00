"""Pages of the trainer pool: a trainer's profile and availability, the staffing page."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from lectern.accounts.models import User
from lectern.checkout_sessions.models import SessionKind
from lectern.core import clock
from lectern.core.errors import DomainError, Invalid, NotFound
from lectern.core.permissions import Principal
from lectern.core.validators import record_id
from lectern.events.models import Event
from lectern.trainers import services
from lectern.trainers.selectors import staffing


def _trainer(request: HttpRequest, trainer_id: int) -> tuple[Principal, User]:
    actor = Principal(user=request.user)  # type: ignore[arg-type]
    trainer = User.objects.filter(pk=trainer_id, is_trainer=True).first()
    if trainer is None:
        raise Http404("No such trainer.")
    try:
        services.require_self_or_staff(actor, trainer)
    except NotFound:
        raise Http404("No such trainer.") from None
    return actor, trainer


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest, trainer_id: int) -> HttpResponse:
    """Name, languages, time zone; the events taught and the demos hosted."""
    actor, trainer = _trainer(request, trainer_id)
    status = 200
    if request.method == "POST":
        try:
            services.trainer_profile_update(
                actor=actor,
                trainer=trainer,
                name=request.POST.get("name", ""),
                languages=request.POST.get("languages", "").split(","),
                timezone=request.POST.get("timezone", "").strip(),
            )
        except DomainError as exc:
            messages.error(request, exc.explained())
            status = exc.status
        else:
            messages.success(request, gettext("Profile saved."))
            return redirect("trainers:profile", trainer_id=trainer.pk)
    return render(
        request,
        "trainers/profile.html",
        {
            "trainer": trainer,
            "profile": services.profile_of(trainer),
            "events": trainer.events_taught.order_by("-first_start")[:200],
            "demos": trainer.checkout_sessions_hosted.filter(
                kind=SessionKind.TEACHING_DEMO
            ).order_by("-start")[:200],
        },
        status=status,
    )


def _dates(raw: str, field: str) -> list[dt.date]:
    out = []
    for part in raw.replace("\n", ",").split(","):
        if part.strip():
            try:
                out.append(dt.date.fromisoformat(part.strip()))
            except ValueError:
                raise Invalid.field(
                    field,
                    gettext("%(text)s is not a date like 2027-03-01.")
                    % {"text": repr(part.strip())},
                ) from None
    return out


@login_required
@require_POST
def availability(request: HttpRequest, trainer_id: int) -> HttpResponse:
    """The availability form of the trainer page: days and weeks of one quarter."""
    actor, trainer = _trainer(request, trainer_id)
    quarter = request.POST.get("quarter", "")
    try:
        services.availability_set(
            actor=actor,
            trainer=trainer,
            quarter=quarter,
            days=_dates(request.POST.get("days", ""), "days"),
            weeks=[dt.date.fromisoformat(w) for w in request.POST.getlist("weeks") if w],
        )
    except (DomainError, ValueError) as exc:
        messages.error(request, exc.explained() if isinstance(exc, DomainError) else str(exc))
    else:
        messages.success(
            request, gettext("Availability for %(quarter)s saved.") % {"quarter": quarter}
        )
    next_page = request.POST.get("next", "")
    if next_page == "trainer":
        return redirect(reverse("events:trainer") + f"?quarter={quarter}#availability")
    return redirect("trainers:profile", trainer_id=trainer.pk)


@login_required
@require_http_methods(["GET", "POST"])
def staffing_page(request: HttpRequest) -> HttpResponse:
    """Staff: upcoming events with their trainers, those short of the minimum, and who is
    available on the event's days and speaks its language; assign from here."""
    if not request.user.is_staff:
        raise Http404("Not found.")
    actor = Principal(user=request.user)
    if request.method == "POST":
        event = Event.objects.filter(pk=record_id(request.POST.get("event_id")) or 0).first()
        trainer = User.objects.filter(pk=record_id(request.POST.get("trainer_id")) or 0).first()
        if event is None or trainer is None:
            messages.error(request, "Choose an event and a trainer.")
        else:
            try:
                services.trainer_assign(actor=actor, event=event, trainer=trainer)
            except DomainError as exc:
                messages.error(request, exc.explained())
            else:
                messages.success(
                    request,
                    f"{trainer.get_full_name()} now teaches {event}; their notice is queued.",
                )
        return redirect("trainers:staffing")
    rows = staffing(clock.now())
    return render(
        request,
        "trainers/staffing.html",
        {"rows": rows, "short": [r for r in rows if r.short_by]},
    )
