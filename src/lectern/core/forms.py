"""The base of Lectern's forms: every date field takes only what `core.validators` allows,
so that pages and the back office refuse what the API refuses, on the field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from lectern.core.validators import validate_date


def check_input(fields: Iterable[forms.Field]) -> None:
    """Give each date field the check of the bounds."""
    for field in fields:
        if isinstance(field, forms.DateField) and validate_date not in field.validators:
            field.validators.append(validate_date)


class InputForm(forms.Form):
    """A form of what people type."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        check_input(self.fields.values())
