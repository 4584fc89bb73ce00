"""Pages for trainees: register, manage a registration, accept a waiting-list offer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from lectern.checkout.models import ActivityKind
from lectern.core import clock
from lectern.core.adminviews import form_errors_from
from lectern.core.errors import DomainError, NotFound
from lectern.core.languages import use_event_language
from lectern.core.permissions import Principal
from lectern.events.models import Event, EventStatus
from lectern.events.views import event_card
from lectern.registrations import services
from lectern.registrations.forms import RegistrationForm
from lectern.registrations.models import (
    Registration,
    RegistrationStatus,
    Trainee,
    WaitlistEntry,
    WaitlistStatus,
)
from lectern.registrations.ratelimit import client_address
from lectern.registrations.selectors import registration_for_token, trainee_for_token
from lectern.registrations.services import waitlist
from lectern.registrations.services.trainee import trainee_details_differences


def _actor(request: HttpRequest) -> Principal:
    user = request.user
    return Principal(user=user) if user.is_authenticated and user.is_staff else Principal()


def _viewer(request: HttpRequest) -> Principal:
    """Who is looking: what they may see (a coordinator sees their in-house events)."""
    user = request.user
    return Principal(user=user) if user.is_authenticated else Principal()


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, event_id: int) -> HttpResponse:
    """The registration form; an event the caller may not see is 404 unless the link (or the
    form) carries a code that is valid for it."""
    now = clock.now()
    if request.method == "POST":  # in the language the form was shown in (no event read)
        use_event_language(request, request.POST.get("page_language", ""))
    code = request.POST.get("code") or request.GET.get("code") or ""
    try:
        services.registration_page_check(
            principal=_viewer(request),
            event_id=event_id,
            code=code,
            client=client_address(request),
            now=now,
        )
    except NotFound as exc:
        raise Http404(exc.message) from None
    except DomainError as exc:
        return render(request, "registrations/refused.html", {"error": exc}, status=exc.status)
    initial = {"code": code} if request.method == "GET" and code else None
    form = RegistrationForm(request.POST or None, initial=initial)
    status, retry_after, full = 200, None, None
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("action") == "waitlist":
                entry = waitlist.waitlist_join(
                    actor=_actor(request),
                    event_id=event_id,
                    code=form.cleaned_data["code"],
                    details=form.details(),
                    client=client_address(request),
                )
                return render(
                    request,
                    "registrations/waitlisted.html",
                    {
                        "card": event_card(_event_shown(event_id), now),
                        "position": waitlist.waitlist_position(entry),
                        "email": entry.trainee.email,
                        "offer_hours": settings.LECTERN["WAITLIST_OFFER_HOURS"],
                    },
                )
            created = services.registration_create(
                actor=_actor(request),
                event_id=event_id,
                code=form.cleaned_data["code"],
                details=form.details(),
                client=client_address(request),
            )
        except DomainError as exc:
            if exc.code == "unknown_code":
                form.add_error("code", exc.message)
            else:
                form_errors_from(exc, form)
                if not form.cleaned_data.get("code", "").strip() and "code" not in form.errors:
                    # The details are checked first; an empty code is a problem all the same
                    form.add_error("code", gettext("Give your organisation's registration code."))
            full = exc.code == "event_full"
            status = exc.status
            retry_after = getattr(exc, "retry_after", None)
        else:
            messages.success(
                request,
                gettext(
                    "You are registered. We have emailed you a confirmation with this page's "
                    "link, and your personal link to your whole training record."
                ),
            )
            return redirect("registrations:manage", token=created.manage_token)
    # The event is read for the page only (a registration needs its id, nothing more).
    event = _event_shown(event_id)
    if request.method != "POST":
        use_event_language(request, event.language)
    context = {
        "card": event_card(event, now),
        "form": form,
        "offer_waitlist": full if full is not None else event.places_left == 0,
    }
    if form.is_bound:
        form.mark_errors()
    response = render(request, "registrations/register.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _event_shown(event_id: int) -> Event:
    return get_object_or_404(Event.objects.prefetch_related("sessions"), pk=event_id)


def _registration(token: str) -> Registration:
    registration = registration_for_token(token)
    if registration is None:
        raise Http404("This link is not valid.")
    return registration


def registration_context(registration: Registration, now: datetime) -> dict[str, Any]:
    card = event_card(Event.objects.prefetch_related("sessions").get(pk=registration.event_id), now)
    rebook = (
        registration.status == RegistrationStatus.CANCELLED
        and registration.event.status == EventStatus.CANCELLED
    )
    can_change = registration.holds_place and card.registration_open
    alternatives = []
    if can_change or rebook:
        alternatives = [
            event_card(e, now)
            for e in services.future_events_with_seats(
                now=now, exclude=registration.event_id, membership_id=registration.membership_id
            )
        ]
    return {
        "registration": registration,
        "card": card,
        "can_change": can_change,
        "rebook": rebook,
        "alternatives": alternatives,
        "can_withdraw": registration.holds_place,
    }


def manage(request: HttpRequest, token: str) -> HttpResponse:
    """One registration, reached by its manage link: view, move, withdraw; nothing else of
    the trainee (their record is on the personal page their emails link to)."""
    registration = _registration(token)
    context = registration_context(registration, clock.now())
    context.update(
        move_url=reverse("registrations:move", args=[token]),
        withdraw_url=reverse("registrations:withdraw", args=[token]),
        personal=False,
    )
    return render(request, "registrations/manage.html", context)


def move_flow(
    request: HttpRequest,
    actor: Principal,
    registration: Registration,
    back: str,
    *,
    for_name: str = "",
) -> HttpResponse | None:
    """Move a registration to the event chosen on the form (manage page or personal page),
    once the trainee has confirmed it on a page naming both events."""
    try:
        event_id = int(request.POST.get("event_id", ""))
    except ValueError:
        messages.error(request, gettext("Choose an event to move to."))
        return None
    if request.POST.get("confirm") != "yes":
        target = Event.objects.prefetch_related("sessions").filter(pk=event_id).first()
        if target is None:
            messages.error(request, gettext("That event does not exist any more."))
            return None
        now = clock.now()
        current = Event.objects.prefetch_related("sessions").get(pk=registration.event_id)
        return render(
            request,
            "registrations/move_confirm.html",
            {
                "card": event_card(target, now),
                "current": event_card(current, now),
                "back_url": back,
                "for_name": for_name,
            },
        )
    try:
        services.registration_move(actor=actor, registration=registration, event_id=event_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            gettext("The registration has moved; we have emailed %(name)s the new schedule.")
            % {"name": for_name}
            if for_name
            else gettext("Your registration has moved; we have emailed you the new schedule."),
        )
    return None


def withdraw_flow(
    request: HttpRequest,
    actor: Principal,
    registration: Registration,
    done: str,
    back: str,
    *,
    for_name: str = "",
) -> HttpResponse:
    """Ask before withdrawing (saying whether the seat is forfeited), then withdraw."""
    card = event_card(
        Event.objects.prefetch_related("sessions").get(pk=registration.event_id), clock.now()
    )
    if request.method == "POST":
        try:
            services.registration_withdraw(
                actor=actor, registration=registration, reason=request.POST.get("reason", "")
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                gettext("%(name)s is withdrawn; we have emailed them a confirmation.")
                % {"name": for_name}
                if for_name
                else gettext("You have withdrawn. We have emailed you a confirmation."),
            )
        return redirect(done)
    return render(
        request,
        "registrations/withdraw.html",
        {
            "registration": registration,
            "card": card,
            "back_url": back,
            "forfeit": not card.registration_open
            and registration.status != RegistrationStatus.PENDING_DETAILS,
            "for_name": for_name,
        },
    )


@require_POST
def manage_move(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration(token)
    page = reverse("registrations:manage", args=[token])
    confirm = move_flow(request, Principal.trainee(registration.pk), registration, page)
    return confirm or redirect(page)


@require_http_methods(["GET", "POST"])
def manage_withdraw(request: HttpRequest, token: str) -> HttpResponse:
    registration = _registration(token)
    page = reverse("registrations:manage", args=[token])
    return withdraw_flow(request, Principal.trainee(registration.pk), registration, page, page)


@require_http_methods(["GET", "POST"])
def offer(request: HttpRequest, raw: str) -> HttpResponse:
    try:
        entry = waitlist.waitlist_offer_for(raw)
    except DomainError as exc:
        raise Http404(exc.message) from None
    now = clock.now()
    if request.method == "POST":
        try:
            created = waitlist.waitlist_accept(raw=raw)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, gettext("You are registered. We have emailed you a confirmation.")
            )
            return redirect("registrations:manage", token=created.manage_token)
    event = Event.objects.prefetch_related("sessions").get(pk=entry.event_id)
    return render(
        request, "registrations/offer.html", {"entry": entry, "card": event_card(event, now)}
    )


# The personal page ("My training"), reached by the trainee's emailed link: their whole record.


def _trainee(token: str) -> Trainee:
    trainee = trainee_for_token(token)
    if trainee is None:
        raise Http404("This link is not valid, or it was replaced.")
    return trainee


def _own_registration(trainee: Trainee, registration_id: int) -> Registration:
    registration = (
        Registration.objects.select_related("event", "trainee", "membership")
        .filter(pk=registration_id, trainee=trainee)
        .first()
    )
    if registration is None:
        raise Http404("No such registration.")
    return registration


# The trainee's details by name, in the page's language, where a registration's differ
DETAIL_LABELS = {
    "name": pgettext_lazy("trainee detail", "name"),
    "affiliation": pgettext_lazy("trainee detail", "affiliation"),
    "country": pgettext_lazy("trainee detail", "country"),
    "timezone": pgettext_lazy("trainee detail", "time zone"),
    "directory_consent": pgettext_lazy("trainee detail", "directory listing"),
    "technologies": pgettext_lazy("trainee detail", "technologies"),
    "usage_frequency": pgettext_lazy("trainee detail", "how often"),
    "carpentries_experience": pgettext_lazy("trainee detail", "Carpentries involvement"),
    "teaching_experience": pgettext_lazy("trainee detail", "teaching experience"),
}


def _differences_shown(
    differences: dict[str, tuple[object, object]],
) -> dict[str, tuple[object, str]]:
    """Each differing detail under its name for people, its submitted value as text."""

    def text(value: object) -> str:
        if isinstance(value, bool):
            return gettext("yes") if value else gettext("no")
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return str(value)

    return {
        str(DETAIL_LABELS.get(name, name)): (stored, text(submitted))
        for name, (stored, submitted) in differences.items()
    }


def personal(request: HttpRequest, token: str) -> HttpResponse:
    trainee = _trainee(token)
    now = clock.now()
    registrations = list(
        trainee.registrations.select_related("event", "membership", "trainee").order_by(
            "-created_at", "-id"
        )
    )
    checkout = getattr(trainee, "checkout", None)
    return render(
        request,
        "registrations/personal.html",
        {
            "trainee": trainee,
            "token": token,
            "rows": [
                {
                    "registration": r,
                    "card": event_card(r.event, now),
                    "differences": _differences_shown(trainee_details_differences(r)),
                    "can_change": r.holds_place,
                }
                for r in registrations
            ],
            "waiting": trainee.waitlist_entries.select_related("event").filter(
                status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]
            ),
            "checkout": checkout,
            "steps": list(checkout.steps.prefetch_related("evidence")) if checkout else [],
            "certificate": getattr(trainee, "certificate", None),
            "activity_kinds": ActivityKind.choices,
            "name_requested": services.name_change_requested(trainee),
        },
    )


def personal_registration(request: HttpRequest, token: str, registration_id: int) -> HttpResponse:
    trainee = _trainee(token)
    registration = _own_registration(trainee, registration_id)
    context = registration_context(registration, clock.now())
    context.update(
        move_url=reverse("registrations:me_move", args=[token, registration.pk]),
        withdraw_url=reverse("registrations:me_withdraw", args=[token, registration.pk]),
        personal=True,
        personal_page=reverse("registrations:me", args=[token]),
    )
    return render(request, "registrations/manage.html", context)


@require_POST
def personal_move(request: HttpRequest, token: str, registration_id: int) -> HttpResponse:
    trainee = _trainee(token)
    registration = _own_registration(trainee, registration_id)
    page = reverse("registrations:me_registration", args=[token, registration.pk])
    confirm = move_flow(request, Principal.personal(trainee.pk), registration, page)
    return confirm or redirect(page)


@require_http_methods(["GET", "POST"])
def personal_withdraw(request: HttpRequest, token: str, registration_id: int) -> HttpResponse:
    trainee = _trainee(token)
    registration = _own_registration(trainee, registration_id)
    page = reverse("registrations:me", args=[token])
    return withdraw_flow(request, Principal.personal(trainee.pk), registration, page, page)


@require_POST
def personal_details_apply(request: HttpRequest, token: str, registration_id: int) -> HttpResponse:
    trainee = _trainee(token)
    registration = _own_registration(trainee, registration_id)
    try:
        services.trainee_details_apply(
            actor=Principal.personal(trainee.pk), registration=registration
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, gettext("Your details are now the ones given with that registration.")
        )
    return redirect("registrations:me", token=token)


@require_POST
def personal_waitlist_leave(request: HttpRequest, token: str, entry_id: int) -> HttpResponse:
    trainee = _trainee(token)
    entry = WaitlistEntry.objects.filter(pk=entry_id, trainee=trainee).first()
    if entry is None:
        raise Http404("No such waiting-list entry.")
    try:
        waitlist.waitlist_leave(actor=Principal.personal(trainee.pk), entry=entry)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, gettext("You have left the waiting list."))
    return redirect("registrations:me", token=token)


@require_http_methods(["GET", "POST"])
def personal_link_replace(request: HttpRequest, token: str) -> HttpResponse:
    trainee = _trainee(token)
    if request.method == "POST":
        try:
            services.trainee_link_replace(actor=Principal.personal(trainee.pk), trainee=trainee)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("registrations:me", token=token)
        return render(request, "registrations/link_replaced.html", {"email": trainee.email})
    return render(request, "registrations/link_replace.html", {"token": token})


@require_POST
def personal_name_request(request: HttpRequest, token: str) -> HttpResponse:
    """Ask staff to correct the name on the record (and on any certificate)."""
    trainee = _trainee(token)
    try:
        services.trainee_name_request(
            actor=Principal.personal(trainee.pk), trainee=trainee, name=request.POST.get("name", "")
        )
    except DomainError as exc:
        messages.error(request, exc.explained())
    else:
        messages.success(
            request,
            gettext("We have asked programme staff to correct your name; we will email you."),
        )
    return redirect("registrations:me", token=token)
