from django import forms

from lectern.core.forms import InputForm


class LoginForm(InputForm):
    email = forms.EmailField(
        label="Your email address",
        help_text="We email you your link. A sign-in link works once, for a few minutes.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
