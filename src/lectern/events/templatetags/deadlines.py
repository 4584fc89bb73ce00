"""What pages and emails say of the programme's deadlines, from their definitions.

`{% load deadlines %}` then `{% deadline_span "registration_cutoff" %}` ("7 days") or
`{% deadline_relation "registration_cutoff" %}` ("7 days before the first session starts");
for every deadline `events.deadlines` defines; never typed text.
"""

from __future__ import annotations

from django import template
from django.conf import settings

from lectern.events.deadlines import BY_NAME, CHECKOUT_SETTINGS, days_text

register = template.Library()


@register.simple_tag
def deadline_span(name: str) -> str:
    """Also `checkout` and `checkout_ceiling`, counted from the event's last local day."""
    if name in CHECKOUT_SETTINGS:
        return days_text(settings.LECTERN[CHECKOUT_SETTINGS[name]])
    return BY_NAME[name].span


@register.simple_tag
def deadline_relation(name: str) -> str:
    return BY_NAME[name].relation
