"""What pages and emails say of the programme's deadlines, from their definitions.

`{% load deadlines %}` then `{% deadline_span "registration_cutoff" %}` ("7 days") or
`{% deadline_relation "registration_cutoff" %}` ("7 days before the first session starts");
for every deadline `events.deadlines` defines; never typed text.
"""

from __future__ import annotations

from django import template

from lectern.events.deadlines import BY_NAME

register = template.Library()


@register.simple_tag
def deadline_span(name: str) -> str:
    return BY_NAME[name].span


@register.simple_tag
def deadline_relation(name: str) -> str:
    return BY_NAME[name].relation
