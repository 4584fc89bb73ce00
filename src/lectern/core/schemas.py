"""Schemas every API module shares: the error body, the documented refusals, and the types of
what people send (text and dates, bounded as `core.validators` defines)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError

from lectern.core.validators import date_problem, text_problem


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None


class ErrorOut(Schema):
    error: ErrorDetail


def refusals(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error responses an operation documents, besides 400/401/422 which all may give."""
    return {status: ErrorOut for status in {400, 401, 422, *statuses}}


def _checked_text(one_line: bool) -> BeforeValidator:
    """Check the characters before any other check of the field (a length, say), which would
    otherwise answer a lone surrogate in words no person understands."""

    def check(value: Any) -> Any:
        if isinstance(value, str):
            problem = text_problem(value, one_line=one_line)
            if problem:
                raise PydanticCustomError("invalid_text", problem)
        return value

    return BeforeValidator(check)


def _checked_date(value: date) -> date:
    problem = date_problem(value)
    if problem:
        raise PydanticCustomError("date_out_of_range", problem)
    return value


# One line of text: titles, names, affiliations, codes, addresses, choices.
Line = Annotated[str, _checked_text(one_line=True)]
# Text that may have several lines: notes, reasons, descriptions.
Text = Annotated[str, _checked_text(one_line=False)]
# A date a person gives: within the bounds every date calculation of the app has room for.
Day = Annotated[date, AfterValidator(_checked_date)]
