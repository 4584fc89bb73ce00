"""Rows written in one statement each, without the ORM's save (for the hottest paths).

`row_insert` writes a model instance as one `INSERT ... RETURNING` (PostgreSQL and SQLite
>= 3.35 alike): optionally with an `ON CONFLICT` clause, so that "insert unless it exists"
needs no savepoint, and a caller that needs the stored row (an upsert's) gets it back.
The values are prepared by the model's own fields, as `save()` prepares them; no model
here has signals, so nothing is skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.expressions import Expression
from django.db.models.sql import Query

M = TypeVar("M", bound=models.Model)


def default_connection() -> BaseDatabaseWrapper:
    """The default connection itself: `django.db.connection` is a thread-local proxy that
    looks the connection up again on every attribute, hundreds of times a registration."""
    return connections[DEFAULT_DB_ALIAS]


@cache
def every_column(model: type[models.Model], vendor: str) -> str:
    """All the model's columns, quoted, in the model's order: the `RETURNING` list whose
    rows `rows_returned` reads."""
    quote = default_connection().ops.quote_name
    return ", ".join(quote(f.column) for f in model._meta.concrete_fields)


@cache
def _statement(
    model: type[models.Model], vendor: str
) -> tuple[tuple[models.Field[Any, Any], ...], str]:
    """A model's columns written by an INSERT, and the INSERT up to VALUES: worked out once
    per model and database kind."""
    opts = model._meta
    quote = default_connection().ops.quote_name
    fields = tuple(f for f in opts.concrete_fields if not f.primary_key)
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    # Names from the model's metadata, values as parameters.
    insert = f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    return fields, insert


def _insert_sql(
    obj: models.Model, on_conflict: str, db: BaseDatabaseWrapper
) -> tuple[str, list[Any]]:
    fields, insert = _statement(type(obj), db.vendor)
    values = [f.get_db_prep_save(f.pre_save(obj, add=True), db) for f in fields]
    return f"{insert} {on_conflict}", values


def row_insert(obj: M, *, on_conflict: str = "", params: Sequence[Any] = ()) -> M | None:
    """Insert `obj` and give it its id; None when `on_conflict` (e.g. `ON CONFLICT DO
    NOTHING`) left the row out. `params` fill the `%s` in `on_conflict`."""
    db = default_connection()
    sql, values = _insert_sql(obj, on_conflict, db)
    key = obj._meta.pk
    assert key is not None
    with db.cursor() as cursor:
        cursor.execute(f"{sql} RETURNING {db.ops.quote_name(key.column)}", [*values, *params])
        row = cursor.fetchone()
    if row is None:
        return None
    obj.pk = row[0]
    obj._state.adding = False
    obj._state.db = db.alias
    return obj


def rows_returned(model: type[M], sql: str, params: Sequence[Any]) -> list[M]:
    """Run `sql`, whose rows begin with `every_column(model)` (the `RETURNING` of `take` and
    `row_upsert`), and build instances as `raw()` would: values
    through the fields' converters, any further columns as plain attributes. `raw()` works
    out which column is which field on every call, a tenth of a registration's CPU.
    `params` go to the driver as they are (`raw()` would adapt them): pass datetimes
    through `connection.ops.adapt_datetimefield_value` first, as SQLite needs."""
    db = default_connection()
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        extras = [column[0] for column in cursor.description[len(_columns(model)) :]]
        fetched = cursor.fetchall()
    compiler = db.ops.compiler("SQLCompiler")(Query(model), db, db.alias)
    converters = compiler.get_converters(_columns(model))
    values = compiler.apply_converters(fetched, converters) if converters else fetched
    names = _attnames(model)
    rows = []
    for row in values:
        instance = model.from_db(db.alias, names, row[: len(names)])
        for name, value in zip(extras, row[len(names) :], strict=True):
            setattr(instance, name, value)
        rows.append(instance)
    return rows


@cache
def _columns(model: type[models.Model]) -> list[Expression]:
    return [f.get_col(model._meta.db_table) for f in model._meta.concrete_fields]


@cache
def _attnames(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def row_upsert(obj: M, *, on_conflict: str, returning: str = "", params: Sequence[Any] = ()) -> M:
    """Insert `obj`, or on a conflict do what `on_conflict` says (it must write the row, e.g.
    `ON CONFLICT (email) DO UPDATE SET email = excluded.email`, for the row to come back),
    and return the row as stored, with the columns of `returning` (`, (SELECT ...) AS name`)
    as attributes. `params` fill the `%s` of `on_conflict` and `returning`, in that order."""
    db = default_connection()
    sql, values = _insert_sql(obj, on_conflict, db)
    every = every_column(type(obj), db.vendor)
    return rows_returned(type(obj), f"{sql} RETURNING {every}{returning}", [*values, *params])[0]
