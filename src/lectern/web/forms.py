from django import forms
from django.utils.translation import gettext_lazy as _

from lectern.core.forms import InputForm


class LoginForm(InputForm):
    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("We email you your link. A sign-in link works once, for a few minutes."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
