"""Back-office pages whose form calls one service: shared by every app's admin."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext

from lectern.core.errors import DomainError
from lectern.core.forms import check_input
from lectern.core.permissions import Principal

TEMPLATE = "admin/service_form.html"
SPLIT_DATETIME_WORDS = ("Date:", "Time:")  # AdminSplitDateTime's own labels


if TYPE_CHECKING:  # the stubs make ModelAdmin generic; Django's class is not subscriptable
    ModelAdmin = admin.ModelAdmin[Any]
else:
    ModelAdmin = admin.ModelAdmin


class ReadOnlyPageAdmin(ModelAdmin):
    """A change page whose fields are all read-only offers no Save: its changes are made on
    the pages its object tools link to, each calling a service."""

    NO_SAVE = {"show_save": False, "show_save_and_continue": False}

    def is_read_only(self, request: HttpRequest, obj: Any = None) -> bool:
        shown = set(self.get_fields(request, obj))
        return shown <= set(self.get_readonly_fields(request, obj))

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if self.is_read_only(request):
            extra_context = {**(extra_context or {}), **self.NO_SAVE}
        return super().change_view(request, object_id, form_url, extra_context)


class ServiceRecordAdmin(ReadOnlyPageAdmin):
    """Records that only services create and nobody deletes: the admin shows them and links
    to the pages that call the services."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CheckedInputAdmin(ModelAdmin):
    """A model edited in the back office's own forms: its text and date fields take only
    what the API and the pages take (`core.forms.check_input`)."""

    def formfield_for_dbfield(
        self, db_field: models.Field[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            check_input([field])
        if field is not None and isinstance(field.widget, AdminSplitDateTime):
            # Django labels the date and time boxes with loose text, which is no label to a
            # screen reader: name each box with the field's label and Django's own words
            # (from Django's catalogue, so they are not marked for ours).
            for box, word in zip(field.widget.widgets, SPLIT_DATETIME_WORDS, strict=True):
                box.attrs["aria-label"] = f"{field.label} ({gettext(word).rstrip(':')})"
        return field


def actor(request: HttpRequest) -> Principal:
    return Principal(user=request.user)  # type: ignore[arg-type]


def form_errors_from(
    exc: DomainError, form: forms.Form, aliases: dict[str, str] | None = None
) -> None:
    """Put a refusal on the form: on its fields where it names them, else on the form."""
    if not exc.fields:
        form.add_error(None, exc.message)
        return
    for name, errors in exc.fields.items():
        target = (aliases or {}).get(name.split(".")[0], name.split(".")[0])
        for error in errors:
            form.add_error(target if target in form.fields else None, error)


def render_form(
    model_admin: admin.ModelAdmin[Any],
    request: HttpRequest,
    title: str,
    form: forms.Form,
    obj: models.Model | None,
) -> HttpResponse:
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "original": obj,
        "opts": model_admin.model._meta,
    }
    return render(request, TEMPLATE, context)


def service_view(
    model_admin: admin.ModelAdmin[Any],
    title: str,
    form_class: type[forms.Form],
    run: Callable[[HttpRequest, Any, dict[str, Any]], models.Model],
) -> Callable[..., HttpResponse]:
    """A page at `<pk>/<action>/`: a form whose valid data is handed to `run`, which calls a
    service; refusals come back on the form, success goes to the object's change page."""
    meta = model_admin.model._meta

    def view(request: HttpRequest, pk: int) -> HttpResponse:
        obj = get_object_or_404(model_admin.model, pk=pk)
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                target = run(request, obj, form.cleaned_data)
            except DomainError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, f"{title}: done.")
                return HttpResponseRedirect(
                    reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[target.pk])
                )
        return render_form(model_admin, request, title, form, obj)

    return model_admin.admin_site.admin_view(view)
