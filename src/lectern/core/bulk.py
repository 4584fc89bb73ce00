"""Bulk actions of the back office: one form (with one reason) applied to many records,
each through its service.

Selected in a changelist, the action opens a page listing the items with their state now.
"Preview" runs the service on every item inside a transaction that is then rolled back (so
nothing is written and no email queued) and shows what each would become or why it would
be refused; "Apply" runs it for real, each item in its own savepoint, so a refusal stops
only that item. The result page shows every item before and after, and the refusals. The
services audit each change with the reason given.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from lectern.core.errors import DomainError

TEMPLATE = "admin/bulk_action.html"


@dataclass
class Outcome:
    obj: models.Model
    before: str
    after: str = ""
    refused: DomainError | None = None


class _Rollback(Exception):
    """Raised to undo a preview."""


def _run_each(
    items: Iterable[models.Model],
    run: Callable[[models.Model, dict[str, Any]], object],
    state: Callable[[models.Model], str],
    data: dict[str, Any],
) -> list[Outcome]:
    outcomes = []
    for obj in items:
        outcome = Outcome(obj, state(obj))
        try:
            with transaction.atomic():
                run(obj, data)
        except DomainError as error:
            outcome.refused = error
        obj.refresh_from_db()
        outcome.after = state(obj)
        outcomes.append(outcome)
    return outcomes


def preview(
    items: list[models.Model],
    run: Callable[[models.Model, dict[str, Any]], object],
    state: Callable[[models.Model], str],
    data: dict[str, Any],
) -> list[Outcome]:
    """What `run` would do to each item, with nothing kept."""
    outcomes: list[Outcome] = []
    try:
        with transaction.atomic():
            outcomes = _run_each(items, run, state, data)
            raise _Rollback
    except _Rollback:
        pass
    for obj in items:
        obj.refresh_from_db()
    return outcomes


def bulk_action(
    *,
    name: str,
    description: str,
    form_class: type[forms.Form],
    run: Callable[[HttpRequest, Any, dict[str, Any]], object],
    state: Callable[[Any], str],
    form_kwargs: Callable[[HttpRequest], dict[str, Any]] | None = None,
) -> Callable[..., HttpResponse | None]:
    """An admin action named `name`: the form, a preview, then apply, as above. `run`
    calls one service for one item; `state` says in a few words what the item is now."""

    def action(model_admin: Any, request: HttpRequest, queryset: Any) -> HttpResponse | None:
        items = list(queryset)
        extra = form_kwargs(request) if form_kwargs else {}
        step = request.POST.get("bulk_step", "")
        form = form_class(request.POST if step else None, **extra)
        outcomes: list[Outcome] = []
        done = False
        if step and form.is_valid():
            data = form.cleaned_data

            def one(obj: Any, values: dict[str, Any]) -> object:
                return run(request, obj, values)

            if step == "apply":
                outcomes, done = _run_each(items, one, state, data), True
            else:
                outcomes = preview(items, one, state, data)
        context = {
            **model_admin.admin_site.each_context(request),
            "title": description,
            "opts": model_admin.model._meta,
            "form": form,
            "action": name,
            "items": [(obj, state(obj)) for obj in items],
            "outcomes": outcomes,
            "done": done,
            "refused": sum(1 for o in outcomes if o.refused),
            "applied": sum(1 for o in outcomes if not o.refused),
            "selected": [obj.pk for obj in items],
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, TEMPLATE, context)

    action.__name__ = name
    return admin.action(description=description)(action)
