"""What dates people may send, defined once for the API's schemas (`core.schemas.Day`),
the pages' forms and the back office.

Every date a person gives (a session's day, a membership's start or end, an activity's
date, a calendar quarter) lies between `EARLIEST_DATE` and `LATEST_DATE`. The programme's
records start well after 2000, and the upper bound leaves thousands of years of room below
Python's year 9999 for the arithmetic the app does on these dates (the registration cutoff
a week before, a membership year, checkout deadlines and their extensions, the next
quarter).
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError

EARLIEST_DATE = date(2000, 1, 1)
LATEST_DATE = date(2999, 12, 31)
DATE_RANGE = f"between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}"


def date_problem(day: date) -> str | None:
    """Why a date cannot be taken, or None."""
    if EARLIEST_DATE <= day <= LATEST_DATE:
        return None
    return f"{day.isoformat()} is out of range: give a date {DATE_RANGE}."


def validate_date(value: date) -> None:
    """A form field's validator: a date within the bounds."""
    problem = date_problem(value)
    if problem:
        raise ValidationError(problem, code="date_out_of_range")
