"""What a coordinator's check-in carries besides the seats: the apps above add their part.

The check-in rule (`memberships/rules.py`) lives here, but the trainees' progress (their
event, result, checkout steps and deadline) belongs to the apps above, which register a
provider from their `AppConfig.ready()`:

    checkin_part_register(provider)   # provider(membership, today) -> {name: value}
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from lectern.memberships.models import Membership

Provider = Callable[[Membership, date], dict[str, Any]]
_PROVIDERS: list[Provider] = []


def checkin_part_register(provider: Provider) -> Provider:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def checkin_parts(membership: Membership, today: date) -> dict[str, Any]:
    parts: dict[str, Any] = {}
    for provider in _PROVIDERS:
        parts.update(provider(membership, today))
    return parts
