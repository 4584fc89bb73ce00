"""A coordinator's page for one of their organisation's registrations: its schedule, and
moving or withdrawing it (the manage page's flows, acting as the coordinator).

Another organisation's registration, or one that is not this membership's, answers 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from lectern.core import clock
from lectern.core.permissions import Principal
from lectern.registrations.models import Registration, RegistrationStatus
from lectern.registrations.team_views import membership_for_coordinator
from lectern.registrations.views import move_flow, registration_context, withdraw_flow


def _theirs(request: HttpRequest, membership_id: int, registration_id: int) -> Registration:
    membership = membership_for_coordinator(request, membership_id)
    registration = (
        Registration.objects.select_related("event", "trainee", "membership")
        .filter(pk=registration_id, membership=membership)
        .first()
    )
    if registration is None:
        raise Http404(f"No registration with id {registration_id} is visible to you.")
    return registration


def _urls(registration: Registration) -> tuple[str, str, str]:
    args = [registration.membership_id, registration.pk]
    return (
        reverse("registrations:coordinator_registration", args=args),
        reverse("registrations:coordinator_move", args=args),
        reverse("registrations:coordinator_withdraw", args=args),
    )


@login_required
def registration_page(
    request: HttpRequest, membership_id: int, registration_id: int
) -> HttpResponse:
    registration = _theirs(request, membership_id, registration_id)
    context = registration_context(registration, clock.now())
    _, move_url, withdraw_url = _urls(registration)
    pending = registration.status == RegistrationStatus.PENDING_DETAILS
    context.update(
        move_url=move_url,
        withdraw_url=withdraw_url,
        personal=False,
        coordinator=True,
        membership=registration.membership,
        # after the cutoff only the trainee may withdraw (their seat is then used)
        can_withdraw=registration.holds_place and (context["card"].registration_open or pending),
    )
    return render(request, "registrations/manage.html", context)


@login_required
@require_POST
def registration_move(
    request: HttpRequest, membership_id: int, registration_id: int
) -> HttpResponse:
    registration = _theirs(request, membership_id, registration_id)
    page = _urls(registration)[0]
    actor = Principal(user=request.user)  # type: ignore[arg-type]
    name = registration.submitted_name
    return move_flow(request, actor, registration, page, for_name=name) or redirect(page)


@login_required
@require_http_methods(["GET", "POST"])
def registration_withdraw(
    request: HttpRequest, membership_id: int, registration_id: int
) -> HttpResponse:
    registration = _theirs(request, membership_id, registration_id)
    page = _urls(registration)[0]
    actor = Principal(user=request.user)  # type: ignore[arg-type]
    done = reverse("memberships:detail", args=[membership_id])
    return withdraw_flow(
        request, actor, registration, done, page, for_name=registration.submitted_name
    )
