from django import forms


class LoginForm(forms.Form):
    email = forms.EmailField(
        label="Your email address",
        help_text="We email you a link that signs you in. It works once, for a few minutes.",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
