"""The trainer page's availability form (included by `events/trainer.html`)."""

from __future__ import annotations

from typing import Any

from django import template

from lectern.trainers.selectors import availability_context

register = template.Library()


@register.inclusion_tag("trainers/_availability.html", takes_context=True)
def availability_form(context: Any, user: Any) -> dict[str, Any]:
    request = context["request"]
    chosen = request.GET.get("quarter")
    return {**availability_context(user, chosen), "csrf_token": context.get("csrf_token")}
