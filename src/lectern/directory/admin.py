"""The trainee's back office, with merging two records of one person (a service above the
registrations app, so the action is added here)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.urls import URLPattern, path

from lectern.certificates.services import trainee_name_correct
from lectern.core.adminviews import actor, service_view
from lectern.core.errors import Invalid
from lectern.core.forms import InputForm
from lectern.core.validators import record_id
from lectern.directory.merge import trainee_merge
from lectern.registrations.admin import TraineeAdmin
from lectern.registrations.models import Trainee
from lectern.registrations.services import name_change_requested


class MergeForm(InputForm):
    into_trainee_id = forms.IntegerField(
        label="Merge into trainee (id)",
        min_value=1,
        help_text="The record that stays; everything of this one moves there.",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class NameForm(InputForm):
    name = forms.CharField(
        required=False,
        max_length=200,
        label="Corrected name",
        help_text="Leave empty to accept the name the trainee asked for.",
    )
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class TraineeWithMergeAdmin(TraineeAdmin):
    change_form_template = "admin/registrations/trainee/change_form.html"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/merge/",
                service_view(self, "Merge into another trainee record", MergeForm, self._merge),
                name="trainee_merge",
            ),
            path(
                "<int:pk>/name/",
                service_view(self, "Correct the name", NameForm, self._name),
                name="trainee_name",
            ),
            *super().get_urls(),
        ]

    def _name(self, request: HttpRequest, trainee: Trainee, data: dict[str, Any]) -> Trainee:
        return trainee_name_correct(
            actor=actor(request), trainee=trainee, name=data["name"], reason=data["reason"]
        )

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> Any:
        pk = record_id(object_id)
        trainee = Trainee.objects.filter(pk=pk).first() if pk is not None else None
        requested = name_change_requested(trainee) if trainee else None
        extra = {**(extra_context or {}), "name_requested": requested}
        return super().change_view(request, object_id, form_url, extra)

    def _merge(self, request: HttpRequest, trainee: Trainee, data: dict[str, Any]) -> Trainee:
        into = Trainee.objects.filter(pk=data["into_trainee_id"]).first()
        if into is None:
            raise Invalid.field(
                "into_trainee_id", f"There is no trainee {data['into_trainee_id']}."
            )
        return trainee_merge(
            actor=actor(request), trainee=trainee, into=into, reason=data["reason"]
        )


admin.site.unregister(Trainee)
admin.site.register(Trainee, TraineeWithMergeAdmin)
