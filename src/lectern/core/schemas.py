"""Schemas every API module shares: the error body and the documented refusals."""

from __future__ import annotations

from ninja import Schema


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] | None = None


class ErrorOut(Schema):
    error: ErrorDetail


def refusals(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error responses an operation documents, besides 400/401/422 which all may give."""
    return {status: ErrorOut for status in {400, 401, 422, *statuses}}
