"""The trainer page's "attendance due": the events this trainer taught that have ended with
attendance still to record (the staff dashboard's list, for one trainer)."""

from __future__ import annotations

from typing import Any

from django import template

from lectern.checkout.selectors import attendance_incomplete
from lectern.core import clock
from lectern.events.deadlines import instant_text

register = template.Library()


@register.inclusion_tag("checkout/_attendance_due.html")
def attendance_due(user: Any) -> dict[str, Any]:
    rows = attendance_incomplete(clock.now(), taught_by=user)
    return {
        "rows": [
            {
                "row": row,
                "ended": instant_text(row.event.last_end, row.event.timezone),
                "closes": instant_text(row.closes_at, row.event.timezone),
            }
            for row in rows
        ]
    }
