"""`{% staff_banner %}`: what is stuck, on the staff dashboard and in the back office."""

from __future__ import annotations

from typing import Any

from django import template

from lectern.core import clock
from lectern.operations.selectors import messages_bounced_to, staff_alerts

register = template.Library()


@register.inclusion_tag("operations/_banner.html", takes_context=True)
def staff_banner(context: Any, style: str = "site") -> dict[str, Any]:
    """Nothing for other callers; for staff, one line per problem and a retry button."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_staff:
        return {"alerts": []}
    alerts = staff_alerts(now=clock.now())
    return {
        "alerts": alerts,
        "style": style,
        "failed": any(a.code == "emails_failed" for a in alerts),
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path(),
    }


@register.inclusion_tag("operations/_bounces.html")
def mail_bounces(address: str) -> dict[str, Any]:
    """The emails to this address that bounced (on the trainee's back-office page)."""
    return {"bounced": messages_bounced_to(address) if address else []}
