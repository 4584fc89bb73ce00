"""Rows written in one statement each, without the ORM's save (for the hottest paths).

`row_insert` writes a model instance as one `INSERT ... RETURNING` (PostgreSQL and SQLite
>= 3.35 alike): optionally with an `ON CONFLICT` clause, so that "insert unless it exists"
needs no savepoint, and a caller that needs the stored row (an upsert's) gets it back.
The values are prepared by the model's own fields, as `save()` prepares them; no model
here has signals, so nothing is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import connection, models

M = TypeVar("M", bound=models.Model)


def _insert_sql(obj: models.Model, on_conflict: str) -> tuple[str, list[Any]]:
    opts = obj._meta
    quote = connection.ops.quote_name
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    values = [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    # Names from the model's metadata, values as parameters.
    sql = f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES ({marks}) {on_conflict}"  # noqa: S608
    return sql, values


def row_insert(obj: M, *, on_conflict: str = "", params: Sequence[Any] = ()) -> M | None:
    """Insert `obj` and give it its id; None when `on_conflict` (e.g. `ON CONFLICT DO
    NOTHING`) left the row out. `params` fill the `%s` in `on_conflict`."""
    sql, values = _insert_sql(obj, on_conflict)
    key = obj._meta.pk
    assert key is not None
    with connection.cursor() as cursor:
        cursor.execute(
            f"{sql} RETURNING {connection.ops.quote_name(key.column)}", [*values, *params]
        )
        row = cursor.fetchone()
    if row is None:
        return None
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


def row_upsert(obj: M, *, on_conflict: str, returning: str = "", params: Sequence[Any] = ()) -> M:
    """Insert `obj`, or on a conflict do what `on_conflict` says (it must write the row, e.g.
    `ON CONFLICT (email) DO UPDATE SET email = excluded.email`, for the row to come back),
    and return the row as stored, with the columns of `returning` (`, (SELECT ...) AS name`)
    as attributes. `params` fill the `%s` of `on_conflict` and `returning`, in that order."""
    sql, values = _insert_sql(obj, on_conflict)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in obj._meta.concrete_fields)
    rows = list(
        type(obj)._default_manager.raw(f"{sql} RETURNING {columns}{returning}", [*values, *params])
    )
    return rows[0]
