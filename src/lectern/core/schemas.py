"""Schemas every API module shares: the error body, the documented refusals, and the types of
what people send (dates, bounded as `core.validators` defines)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from lectern.core.validators import date_problem


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None


class ErrorOut(Schema):
    error: ErrorDetail


def refusals(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error responses an operation documents, besides 400/401/422 which all may give."""
    return {status: ErrorOut for status in {400, 401, 422, *statuses}}


def _checked_date(value: date) -> date:
    problem = date_problem(value)
    if problem:
        raise PydanticCustomError("date_out_of_range", problem)
    return value


# A date a person gives: within the bounds every date calculation of the app has room for.
Day = Annotated[date, AfterValidator(_checked_date)]
