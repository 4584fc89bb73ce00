"""Reads about registrations: by manage link, and what each caller may see."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from lectern.checkout_sessions.selectors import trainees_hosted_by
from lectern.core.permissions import Principal
from lectern.memberships.selectors import memberships_visible_to
from lectern.registrations.models import Registration, Trainee
from lectern.registrations.tokens import (
    registration_id_of,
    token_matches,
    trainee_id_of,
    trainee_token_matches,
)


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


def trainee_for_token(token: str) -> Trainee | None:
    """The trainee a personal link (`lt_...`) names, if its signature matches their nonce."""
    trainee_id = trainee_id_of(token)
    if trainee_id is None:
        return None
    trainee = Trainee.objects.filter(pk=trainee_id, erased_at__isnull=True).first()
    if trainee is None or not trainee_token_matches(token, trainee.pk, trainee.link_nonce):
        return None
    return trainee


def registrations_visible_to(principal: Principal) -> QuerySet[Registration]:
    """Staff: all; coordinators: their memberships'; trainers: their events'; a manage link:
    its own registration; a personal link: the trainee's registrations."""
    registrations = Registration.objects.select_related("event", "trainee", "membership")
    if principal.is_staff:
        return registrations
    visible = Q(pk__in=[])
    if principal.registration_id is not None:
        visible |= Q(pk=principal.registration_id)
    if principal.trainee_id is not None:
        visible |= Q(trainee_id=principal.trainee_id)
    if principal.user is not None:
        visible |= Q(membership__in=memberships_visible_to(principal).values("pk"))
        visible |= Q(event__trainers=principal.user)
    return registrations.filter(visible).distinct()


def trainees_visible_to(principal: Principal) -> QuerySet[Trainee]:
    """Staff: all; a personal link: that trainee; a coordinator or trainer: the trainees of
    the registrations they can see (their memberships', the events they teach), and a host
    the trainees of the sessions they host. What such a
    caller reads of the trainee's checkout and certificate is narrower: only what came through
    those registrations (`checkout.selectors.checkouts_visible_to`). A manage link: none (it
    acts on its one registration only)."""
    if principal.is_staff:
        return Trainee.objects.all()
    visible = Q(pk__in=[])
    if principal.trainee_id is not None:
        visible |= Q(pk=principal.trainee_id)
    if principal.user is not None:
        visible |= Q(pk__in=registrations_visible_to(principal).values("trainee_id"))
        visible |= trainees_hosted_by(principal)
    return Trainee.objects.filter(visible)
