"""What text and dates people may send, defined once for the API's schemas
(`core.schemas.Line`, `Text`, `Day`), the pages' forms and the back office.

Text: a one-line field (a title, a name, an affiliation, a code) has no control characters
at all, so that it can go into an email header or a calendar line as it is; a multi-line
field (notes, reasons) may have line breaks and tabs but no other control character. Neither
may hold a lone surrogate (`"\\ud800"` in JSON): it is not a character, and no database or
page can encode it. NUL characters are refused earlier, for the whole request, by
`core.middleware`.

Dates: every date a person gives (a session's day, a membership's start or end, an
activity's date, a calendar quarter) lies between `EARLIEST_DATE` and `LATEST_DATE`. The
programme's records start well after 2000, and the upper bound leaves thousands of years of
room below Python's year 9999 for the arithmetic the app does on these dates (the
registration cutoff a week before, a membership year, checkout deadlines and their
extensions, the next quarter).
"""

from __future__ import annotations

import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2999, 12, 31)
DATE_RANGE = f"between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}"

# Control characters a multi-line field may hold: tab, line feed, carriage return.
LINE_BREAKS = frozenset("\t\n\r")
# What one line cannot hold: control characters, and the line and paragraph separators.
NOT_IN_A_LINE = frozenset({"Cc", "Zl", "Zp"})
NAMES = {"\t": _("a tab"), "\n": _("a line break"), "\r": _("a line break")}


def date_problem(day: date) -> str | None:
    """Why a date cannot be taken, or None."""
    if EARLIEST_DATE <= day <= LATEST_DATE:
        return None
    return gettext("%(day)s is out of range: give a date between %(earliest)s and %(latest)s.") % {
        "day": day.isoformat(),
        "earliest": EARLIEST_DATE.isoformat(),
        "latest": LATEST_DATE.isoformat(),
    }


def _describe(char: str) -> str:
    if char in NAMES:
        return str(NAMES[char])
    return gettext("the control character U+%(code)s") % {"code": f"{ord(char):04X}"}


def text_problem(value: str, *, one_line: bool) -> str | None:
    """Why a text cannot be taken, or None."""
    for char in value:
        category = unicodedata.category(char)
        if category == "Cs":
            return gettext(
                "This text holds an invalid character (U+%(code)s, an unpaired surrogate); "
                "remove it and send the text again."
            ) % {"code": f"{ord(char):04X}"}
        if one_line and category in NOT_IN_A_LINE:
            return gettext("Give one line of text, without %(character)s.") % {
                "character": _describe(char)
            }
        if category == "Cc" and char not in LINE_BREAKS:
            return gettext("Remove %(character)s; text may only hold line breaks and tabs.") % {
                "character": _describe(char)
            }
    return None


def line_problem(value: str, max_length: int) -> str | None:
    """Why one line of text (a name typed into a list or a CSV file) cannot be stored in a
    column of `max_length` characters, or None."""
    if len(value) > max_length:
        return f"At most {max_length} characters ({len(value)} given)."
    return text_problem(value, one_line=True)


def as_one_line(text: str) -> str:
    """The text with what one line cannot hold made spaces, for text stored before it was
    checked that goes where only one line may (a calendar's lines)."""
    spaced = "".join(" " if unicodedata.category(c) in NOT_IN_A_LINE else c for c in text)
    return " ".join(spaced.split())


def validate_one_line(value: str) -> None:
    """A form field's validator: one line of text."""
    problem = text_problem(value, one_line=True)
    if problem:
        raise ValidationError(problem, code="invalid_text")


def validate_text(value: str) -> None:
    """A form field's validator: text that may have several lines."""
    problem = text_problem(value, one_line=False)
    if problem:
        raise ValidationError(problem, code="invalid_text")


def validate_date(value: date) -> None:
    """A form field's validator: a date within the bounds."""
    problem = date_problem(value)
    if problem:
        raise ValidationError(problem, code="date_out_of_range")


LARGEST_ID = 2**63 - 1  # the largest a bigint primary key holds on either database


def record_id(raw: object) -> int | None:
    """A record id typed or posted on a page ("12"), or None for anything else: other
    characters, digits `int()` refuses ("²"), or a number no primary key can hold."""
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdecimal():
        return None
    value = int(raw)
    return value if 0 < value <= LARGEST_ID else None
