"""Test data factories. Memberships are made through the service, so their seats are real."""

from __future__ import annotations

from datetime import date
from typing import Any

import factory

from lectern.accounts.models import User
from lectern.core import clock
from lectern.core.permissions import Principal
from lectern.memberships import services
from lectern.memberships.models import Membership, Organization

SYSTEM = Principal.as_system()


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Faker("name")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organisation {n}")
    country = "GB"
    created_at = factory.LazyFunction(clock.now)


def membership(
    *,
    organization: Organization | None = None,
    tier: str = "silver",
    start_date: date = date(2026, 1, 1),
    **kwargs: Any,
) -> Membership:
    """Create a membership the way staff do, through `membership_create`."""
    return services.membership_create(
        actor=SYSTEM,
        organization=organization or OrganizationFactory(),
        tier=tier,
        start_date=start_date,
        **kwargs,
    )
