"""Heartbeats: a recurring job says it ran; operators' checks read when it last did."""

from __future__ import annotations

from datetime import datetime

from lectern.core.models import Heartbeat

TICK = "tick"


def heartbeat_record(*, name: str, at: datetime, seconds: float) -> None:
    """Note that `name` finished at `at`, taking `seconds` (one row per job, updated)."""
    Heartbeat.objects.update_or_create(
        name=name, defaults={"last_run_at": at, "seconds": round(seconds, 3)}
    )


def heartbeat_last(name: str) -> Heartbeat | None:
    return Heartbeat.objects.filter(name=name).first()
