"""The base of Lectern's forms: every text and date field takes only what `core.validators`
allows, so that pages and the back office refuse what the API refuses, on the field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from lectern.core.validators import validate_date, validate_one_line, validate_text

CHECKS = (validate_one_line, validate_text, validate_date)


def check_input(fields: Iterable[forms.Field]) -> None:
    """Give each field the check of its kind: a date is within the bounds, a textarea takes
    lines of text, any other text field one line."""
    for field in fields:
        if any(check in field.validators for check in CHECKS):
            continue
        if isinstance(field, forms.DateField):
            field.validators.append(validate_date)
        elif isinstance(field, forms.CharField):
            multiline = isinstance(field.widget, forms.Textarea)
            field.validators.append(validate_text if multiline else validate_one_line)


class InputForm(forms.Form):
    """A form of text and dates people type."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        check_input(self.fields.values())

    def mark_errors(self) -> None:
        """Tell assistive technology which fields are invalid and where their errors are."""
        for name in self.errors:
            if name not in self.fields:
                continue
            field = self.fields[name]
            described = [f"id_{name}_error"] + ([f"id_{name}_helptext"] if field.help_text else [])
            field.widget.attrs.update(
                {"aria-invalid": "true", "aria-describedby": " ".join(described)}
            )
