"""`{{ name|public_name }}`: a name as shown publicly (see `lectern.core.display`)."""

from __future__ import annotations

from django import template

from lectern.core import display

register = template.Library()


@register.filter
def public_name(name: object) -> str:
    return display.public_name(name) if isinstance(name, str) else ""
