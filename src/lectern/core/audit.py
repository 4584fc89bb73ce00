"""The audit trail: services call `audit_log` inside their own transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models

from lectern.core.models import AuditEntry
from lectern.core.permissions import Principal
from lectern.core.rows import row_insert


def audit_log(
    *,
    actor: Principal,
    action: str,
    obj: models.Model,
    at: datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    assert obj.pk is not None
    entry = row_insert(
        AuditEntry(
            at=at,
            actor=actor.user,
            actor_label=actor.label,
            action=action,
            object_type=obj._meta.model_name or type(obj).__name__.lower(),
            object_id=obj.pk,
            reason=reason,
            data=data or {},
        )
    )
    assert entry is not None
    return entry
