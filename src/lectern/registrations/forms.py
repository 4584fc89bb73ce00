"""The public registration form. Its fields only parse input: the rules are in the services,
whose refusals come back onto the fields."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from lectern.core.forms import InputForm
from lectern.registrations.models import TECHNOLOGIES, TECHNOLOGY_LABELS, UsageFrequency
from lectern.registrations.services import TraineeDetails

# The model's values, with labels in the page's language (the model's own labels are English)
TECHNOLOGY_NAMES = {"shell": _("Unix shell"), "spreadsheets": _("Spreadsheets")}
USAGE_CHOICES = [
    (UsageFrequency.DAILY, _("Daily")),
    (UsageFrequency.WEEKLY, _("Weekly")),
    (UsageFrequency.MONTHLY, _("Monthly")),
    (UsageFrequency.LESS, _("Less than monthly")),
]
EXPERIENCE_CHOICES = [
    ("learner", _("Learner at a workshop")),
    ("helper", _("Helper at a workshop")),
    ("none", _("None yet")),
]


class RegistrationForm(InputForm):
    code = forms.CharField(
        label=_("Registration code"),
        max_length=100,
        required=False,
        help_text=_("Your organisation's code; your coordinator has it."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.CharField(
        label=_("Email address"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    affiliation = forms.CharField(
        label=_("Affiliation"),
        max_length=200,
        required=False,
        help_text=_("Your university, institute or employer."),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        # a callable: the names in the page's language, sorted in it, at each rendering
        choices=lambda: [("", _("Choose…")), *countries],
    )
    technologies = forms.MultipleChoiceField(
        label=_("Technologies you are familiar with"),
        required=False,
        choices=[(t, TECHNOLOGY_NAMES.get(t, TECHNOLOGY_LABELS[t])) for t in TECHNOLOGIES],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At least one."),
    )
    usage_frequency = forms.ChoiceField(
        label=_("How often do you use them?"),
        required=False,
        choices=USAGE_CHOICES,
        widget=forms.RadioSelect,
    )
    carpentries_experience = forms.MultipleChoiceField(
        label=_("Previous Carpentries involvement"),
        required=False,
        choices=EXPERIENCE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    teaching_experience = forms.CharField(
        label=_("Teaching experience (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    accept_code_of_conduct = forms.BooleanField(
        label=_("I agree to follow the code of conduct"), required=False
    )
    accept_privacy = forms.BooleanField(label=_("I agree to the privacy policy"), required=False)
    directory_consent = forms.BooleanField(
        label=_("Once certified, list me in the public instructor directory"), required=False
    )
    timezone = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # What the trainee agrees to, one click away (new tab: the form keeps what was typed)
        for name, url, text in (
            ("accept_code_of_conduct", settings.CODE_OF_CONDUCT_URL, _("Read the code of conduct")),
            ("accept_privacy", settings.PRIVACY_POLICY_URL, _("Read the privacy policy")),
        ):
            self.fields[name].help_text = format_html(
                '<a href="{}" target="_blank" rel="noopener">{}</a>', url, text
            )

    def details(self) -> TraineeDetails:
        data = self.cleaned_data
        return TraineeDetails(
            name=data["name"],
            email=data["email"],
            affiliation=data["affiliation"],
            country=data["country"],
            technologies=data["technologies"],
            usage_frequency=data["usage_frequency"],
            carpentries_experience=data["carpentries_experience"],
            accept_code_of_conduct=data["accept_code_of_conduct"],
            accept_privacy=data["accept_privacy"],
            teaching_experience=data["teaching_experience"],
            directory_consent=data["directory_consent"],
            timezone=data["timezone"],
        )


class DetailsForm(RegistrationForm):
    """A team registration's details, completed by the trainee: no code (the coordinator
    used the membership's seat) and no address (the personal link is theirs)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["code"]
        del self.fields["email"]

    def details(self, email: str = "") -> TraineeDetails:
        self.cleaned_data.setdefault("email", email)
        self.cleaned_data["email"] = email
        return super().details()
