"""The trainee's back office, with merging two records of one person (a service above the
registrations app, so the action is added here)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.urls import URLPattern, path

from lectern.core.adminviews import actor, service_view
from lectern.core.errors import Invalid
from lectern.core.forms import InputForm
from lectern.directory.merge import trainee_merge
from lectern.registrations.admin import TraineeAdmin
from lectern.registrations.models import Trainee


class MergeForm(InputForm):
    into_trainee_id = forms.IntegerField(
        label="Merge into trainee (id)",
        min_value=1,
        help_text="The record that stays; everything of this one moves there.",
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
            *super().get_urls(),
        ]

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
