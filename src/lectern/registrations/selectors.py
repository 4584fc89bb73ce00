"""Reads about registrations: by manage link, and what each caller may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from lectern.core.permissions import Principal
from lectern.memberships.selectors import memberships_visible_to
from lectern.registrations.models import Registration, Trainee
from lectern.registrations.tokens import registration_id_of, token_matches


def registration_for_token(token: str) -> Registration | None:
    registration_id = registration_id_of(token)
    if registration_id is None:
        return None
    registration = (
        Registration.objects.select_related("event", "trainee", "membership")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None or not token_matches(token, registration.pk, registration.manage_nonce):
        return None
    return registration


def registrations_visible_to(principal: Principal) -> QuerySet[Registration]:
    """Staff: all; coordinators: their memberships'; trainers: their events'; a manage link:
    its own registration."""
    registrations = Registration.objects.select_related("event", "trainee", "membership")
    if principal.is_staff:
        return registrations
    visible = Q(pk__in=[])
    if principal.registration_id is not None:
        visible |= Q(pk=principal.registration_id)
    if principal.user is not None:
        visible |= Q(membership__in=memberships_visible_to(principal).values("pk"))
        visible |= Q(event__trainers=principal.user)
    return registrations.filter(visible).distinct()


def trainees_visible_to(principal: Principal) -> QuerySet[Trainee]:
    """The trainees of the registrations the caller sees: a trainer reads only the trainees
    registered at the events they teach (evaluating is narrower: `checkout.selectors`)."""
    return Trainee.objects.filter(pk__in=registrations_visible_to(principal).values("trainee_id"))
