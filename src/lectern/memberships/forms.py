"""Staff forms in the back office; each one's save calls the matching service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from lectern.core.forms import InputForm
from lectern.memberships.codes import normalize_code
from lectern.memberships.models import ContactRole, Organization, Tier


class MembershipCreateForm(InputForm):
    organization = forms.ModelChoiceField(Organization.objects.all(), label="Organisation")
    consortium = forms.ModelMultipleChoiceField(
        Organization.objects.all(),
        required=False,
        help_text="Other organisations, for a consortium membership.",
    )
    tier = forms.ChoiceField(choices=Tier.choices)
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for one year.",
    )
    seats = forms.IntegerField(
        required=False, min_value=0, help_text="Leave empty for the tier's seats."
    )
    registration_code = forms.CharField(
        required=False, max_length=40, help_text="Leave empty to generate one."
    )

    def clean_registration_code(self) -> str | None:
        return normalize_code(self.cleaned_data["registration_code"]) or None


class SeatsForm(InputForm):
    delta = forms.IntegerField(label="Seats", help_text="Positive to add, negative to adjust down.")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    adjustment = forms.BooleanField(
        required=False, help_text="An adjustment rather than a purchase."
    )
    allow_overdraw = forms.BooleanField(
        required=False, help_text="Let available seats go below zero (recorded)."
    )


class ExtendForm(InputForm):
    end_date = forms.DateField(label="New end date", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class RolloverForm(InputForm):
    seats = forms.IntegerField(min_value=1, help_text="Unused available seats to move.")
    start_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for the day after this term ends.",
    )
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        days = settings.LECTERN["ROLLOVER_WINDOW_DAYS"]
        self.fields[
            "reason"
        ].help_text = (
            f"Required before the rollover window opens, {days} days before the term ends."
        )


class ContactForm(InputForm):
    name = forms.CharField(max_length=200)
    email = forms.EmailField()
    role = forms.ChoiceField(choices=ContactRole.choices)


class CodeResetForm(InputForm):
    code = forms.CharField(required=False, max_length=40, help_text="Leave empty to generate one.")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
