"""Back office for checkouts: steps and extensions (granted through the service)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.urls import URLPattern, path

from lectern.checkout import services
from lectern.checkout.models import Checkout, Extension, Step, StepState
from lectern.core.adminviews import ServiceRecordAdmin, actor, service_view
from lectern.core.bulk import bulk_action
from lectern.core.forms import InputForm


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    fields = readonly_fields = ("requirement", "state", "updated_at", "evaluated_by", "notes")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ExtensionInline(admin.TabularInline):
    model = Extension
    extra = 0
    fields = readonly_fields = (
        "previous_deadline",
        "new_deadline",
        "reason",
        "granted_by_label",
        "granted_at",
    )
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ExtensionForm(InputForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Moves the deadline by one block; reopens an expired one.",
    )


class EvaluateForm(InputForm):
    requirement = forms.ChoiceField(label="Step")
    state = forms.ChoiceField(
        choices=[(s.value, s.label) for s in StepState if s != StepState.NOT_STARTED]
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded with each step (e.g. 'attended the welcome session of 3 May').",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["requirement"].choices = [  # type: ignore[attr-defined]
            (r, r.replace("_", " ").capitalize()) for r in settings.LECTERN["CHECKOUT_REQUIREMENTS"]
        ]


def _checkout_state(c: Checkout) -> str:
    steps = ", ".join(f"{s.label}: {s.state.replace('_', ' ')}" for s in c.steps.all())
    return f"{c.get_status_display()}, due {c.deadline:%d %b %Y}; {steps}"


@admin.register(Checkout)
class CheckoutAdmin(ServiceRecordAdmin):
    list_display = ["trainee", "status", "deadline", "certified_at"]
    list_filter = ["status"]
    search_fields = ["trainee__name", "trainee__email"]
    inlines = [StepInline, ExtensionInline]
    change_form_template = "admin/checkout/checkout/change_form.html"
    fields = readonly_fields = (
        "trainee",
        "registration",
        "status",
        "deadline",
        "started_at",
        "certified_at",
    )
    actions = ["evaluate_step", "grant_extension"]

    evaluate_step = bulk_action(
        name="evaluate_step",
        description="Evaluate a checkout step",
        form_class=EvaluateForm,
        run=lambda request, c, data: services.progress_record(
            actor=actor(request),
            trainee=c.trainee,
            requirement=data["requirement"],
            state=data["state"],
            notes=data["reason"],
        ),
        state=_checkout_state,
    )
    grant_extension = bulk_action(
        name="grant_extension",
        description="Grant an extension",
        form_class=ExtensionForm,
        run=lambda request, c, data: services.extension_grant(
            actor=actor(request), trainee=c.trainee, reason=data["reason"]
        ),
        state=_checkout_state,
    )

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/extend/",
                service_view(self, "Extend the deadline", ExtensionForm, self._extend),
                name="checkout_extend",
            ),
            *super().get_urls(),
        ]

    def _extend(self, request: HttpRequest, c: Checkout, data: dict[str, Any]) -> Checkout:
        return services.extension_grant(
            actor=actor(request), trainee=c.trainee, reason=data["reason"]
        )
