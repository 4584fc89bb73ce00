"""An object's history for the back office: its audit entries (who, when, what, why), with
whatever other record an app adds (a membership's or a registration's seat ledger)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q

from lectern.core.models import AuditEntry


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    who: str
    what: str
    why: str
    about: str = ""


HISTORY_ROWS = 1000


def _data_text(data: dict[str, Any]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted(data.items()) if v not in (None, "", [], {}))


def audit_history(objects: Iterable[tuple[str, Iterable[int], str]]) -> list[HistoryRow]:
    """Audit entries of (object_type, ids, how to name them) in one query: the newest
    `HISTORY_ROWS`, newest first (a busy object's page shows what happened lately)."""
    query = Q(pk__in=[])
    names: dict[str, str] = {}
    for object_type, ids, name in objects:
        ids = list(ids)
        if ids:
            query |= Q(object_type=object_type, object_id__in=ids)
            names[object_type] = name
    rows = []
    for entry in AuditEntry.objects.filter(query).order_by("-at", "-pk")[:HISTORY_ROWS]:
        what = entry.action.replace("_", " ")
        details = _data_text(entry.data)
        rows.append(
            HistoryRow(
                at=entry.at,
                who=entry.actor_label,
                what=f"{what} ({details})" if details else what,
                why=entry.reason,
                about=f"{names.get(entry.object_type, entry.object_type)} {entry.object_id}",
            )
        )
    return rows


def history_sorted(*groups: Iterable[HistoryRow]) -> list[HistoryRow]:
    """Newest first."""
    return sorted((row for group in groups for row in group), key=lambda r: r.at, reverse=True)


class HistoryMixin:
    """A ModelAdmin mixin: the change page shows `history_rows(obj)` under the form."""

    def history_rows(self, obj: Any) -> list[HistoryRow]:
        raise NotImplementedError

    def change_view(
        self, request: Any, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        obj = self.get_object(request, object_id)  # type: ignore[attr-defined]
        extra = {**(extra_context or {})}
        if obj is not None:
            extra["object_history"] = self.history_rows(obj)
        return super().change_view(request, object_id, form_url, extra)  # type: ignore[misc]
