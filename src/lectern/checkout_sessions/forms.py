"""Staff forms for welcome sessions and teaching demos. They read what was typed; the rules
(who hosts which kind, the times in the zone, the capacity, the link) are the services'."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from lectern.accounts.models import User
from lectern.checkout_sessions.models import SessionKind
from lectern.core.forms import InputForm
from lectern.events.forms import clean_zone, zone_field

LOCAL_HELP = "Wall-clock time in the session's zone, e.g. 2027-03-04T15:00."


def host_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Trainers (who host both kinds), then other staff (welcome sessions only)."""
    people = User.objects.filter(is_active=True).filter(is_trainer=True) | User.objects.filter(
        is_active=True, is_staff=True
    )
    trainers: list[tuple[str, str]] = []
    staff: list[tuple[str, str]] = []
    for user in people.order_by("name", "email"):
        option = (str(user.pk), f"{user.name} <{user.email}>" if user.name else user.email)
        (trainers if user.is_trainer else staff).append(option)
    return [("Trainers", trainers), ("Staff (welcome sessions only)", staff)]


class CheckoutSessionForm(InputForm):
    kind = forms.ChoiceField(
        choices=[(value, label.capitalize()) for value, label in SessionKind.choices],
        label="Kind",
    )
    host = forms.ChoiceField(
        label="Host",
        help_text="A teaching demo is hosted by a trainer, a welcome session by a trainer or "
        "staff.",
    )
    title = forms.CharField(
        max_length=200, required=False, help_text="Optional; else the kind is the title."
    )
    timezone = zone_field()
    timezone.label = "Time zone"
    start = forms.CharField(
        max_length=16,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=LOCAL_HELP,
    )
    end = forms.CharField(
        max_length=16,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        help_text=LOCAL_HELP,
    )
    capacity = forms.IntegerField(help_text="Places, at least 1.")
    meeting_url = forms.CharField(
        max_length=500,
        label="Meeting link",
        help_text="Shown only to the trainees signed up, the host and staff.",
    )
    language = forms.ChoiceField(choices=settings.LANGUAGES, initial="en")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["timezone"].help_text = "The zone of the start and end: type to search."
        host = self.fields["host"]
        assert isinstance(host, forms.ChoiceField)
        host.choices = [("", "- choose -"), *host_choices()]

    def clean_timezone(self) -> str:
        return clean_zone(self.cleaned_data["timezone"])


class CancelForm(InputForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,  # the service says why one is needed
        help_text="Told to each trainee signed up, with a link to choose another session.",
    )
