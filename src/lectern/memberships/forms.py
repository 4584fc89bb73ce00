"""Staff forms in the back office; each one's save calls the matching service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from lectern.core.errors import DomainError
from lectern.core.forms import InputForm
from lectern.memberships.codes import normalize_code
from lectern.memberships.models import ContactRole, Organization, Tier
from lectern.memberships.services import MEMBER_COLUMNS, domains_parse


class DomainsField(forms.Field):
    """Web domains as plain names, one a line or separated by commas: `x.org, y.edu`.
    (Not a CharField: its value is a list, and each name is checked as a domain.)"""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "Plain names, one a line or separated by commas: x.org")
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list):
            value = "\n".join(value)
        try:
            return domains_parse(str(value or ""))
        except DomainError as exc:
            raise forms.ValidationError((exc.fields or {}).get("domains", [exc.message])) from exc

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return list(initial or []) != self.to_python(data)
        except forms.ValidationError:
            return True


class OrganizationForm(forms.ModelForm):
    domains = DomainsField()

    class Meta:
        model = Organization
        fields = ["name", "country", "domains"]


class MemberCreateForm(InputForm):
    """Organisation, membership and coordinator in one form (`services.member_create`)."""

    name = forms.CharField(max_length=200, label="Organisation")
    country = forms.CharField(max_length=2, help_text="ISO 3166 code, e.g. GB.")
    domains = DomainsField()
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
    coordinator_name = forms.CharField(max_length=200)
    coordinator_email = forms.EmailField(help_text="Gets a welcome email with a sign-in link.")

    def clean_registration_code(self) -> str | None:
        return normalize_code(self.cleaned_data["registration_code"]) or None


class MemberImportForm(InputForm):
    report = forms.CharField(
        label="CSV",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"A header line with: {', '.join(MEMBER_COLUMNS)}. Domains separated by "
        "spaces or semicolons. end_date, seats, registration_code and domains may be empty.",
    )
    upload = forms.FileField(required=False, label="or a CSV file")
    confirm = forms.BooleanField(
        required=False,
        label="Create them",
        help_text="Leave unticked to preview: nothing is created until you tick this.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("upload")
        if upload:
            try:
                data["report"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError("The file is not UTF-8 text.") from None
        if not (data.get("report") or "").strip():
            raise forms.ValidationError("Paste the CSV or choose a file.")
        return data


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
