"""The people and events the Spanish tests share: a trainer who teaches in Spanish, a gold
membership with its coordinator, Spanish events in Madrid and trainees registered with the
membership's code. Build it inside a frozen clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from lectern.accounts.models import User
from lectern.accounts.services import user_ensure
from lectern.core.permissions import Principal
from lectern.events import services as events
from lectern.events.models import Event
from lectern.events.services import LocalTimes
from lectern.memberships import services as memberships
from lectern.memberships.models import Membership
from lectern.registrations import services as registrations
from lectern.registrations.models import Registration
from lectern.registrations.tests.conftest import details
from tests.factories import membership

SYSTEM = Principal.as_system()


def person(n: int, name: str) -> Any:
    return details(n, name=name, email=f"persona{n}@uni.example", affiliation="Universidad")


@dataclass
class SpanishWorld:
    trainer: User
    membership: Membership

    @classmethod
    def build(cls) -> SpanishWorld:
        trainer = user_ensure(email="formadora@a.example", role="trainer", name="Lucía Pérez")
        m = membership(tier="gold", start_date=date(2026, 10, 1))
        memberships.contact_add(
            actor=SYSTEM,
            membership=m,
            email="coord@a.example",
            name="Marta Ruiz",
            role="coordinator",
        )
        return cls(trainer, m)

    def event(self, day: str, **extra: Any) -> Event:
        """A one-day Spanish event in Madrid on `day`, 09:00-17:00."""
        return events.event_create(
            actor=SYSTEM,
            title=extra.pop("title", "Formación de instructores"),
            timezone="Europe/Madrid",
            sessions=[LocalTimes(f"{day}T09:00", f"{day}T17:00")],
            capacity=extra.pop("capacity", 10),
            min_enrolment=1,
            language="es",
            **extra,
        )

    def register(self, target: Event, n: int, name: str, **kw: Any) -> Registration:
        return registrations.registration_create(
            actor=SYSTEM,
            event_id=target.pk,
            code=self.membership.registration_code,
            details=person(n, name),
            **kw,
        ).registration
