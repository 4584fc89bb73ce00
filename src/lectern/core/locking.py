"""Every row lock the services take, in one fixed order (pretix `services/locking.py`).

A service that makes places or seats less available locks the rows it changes before it
reads them: events, then checkout sessions (welcome sessions and teaching demos), then
memberships, then registrations, then trainees, each kind in id order. Two
services that lock the same rows therefore queue instead of deadlocking.

A count that only one transaction at a time may move past a limit (an event's places, a
membership's seats) can also be taken in one statement, `take`: the guard and the change are
one UPDATE, which holds the row from then on like `lock` does, so the check and the write
need no SELECT before them.

Which guard holds on which database:
- PostgreSQL: the row lock (`SELECT ... FOR UPDATE`, or the UPDATE of `take`) taken here.
  Without it two registrations read the same count of places and both write "one more".
- SQLite: the immediate transaction (`transaction_mode: IMMEDIATE` in the settings). Every
  writing transaction takes the database's write lock when it begins, so transactions run
  one at a time; `FOR UPDATE` means nothing there. Without it, a transaction that read
  before another one committed fails when it writes ("database is locked").

`unguarded()` turns both guards off (and makes `take` read, then write, as a naive counter
would). It exists for the concurrency tests' controls, which show that the race is real
without the guards; nothing else uses it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar

from django.apps import apps
from django.db import connection, models, transaction
from django.db.backends.signals import connection_created

from lectern.core.rows import default_connection, every_column, rows_returned

if TYPE_CHECKING:
    from lectern.checkout_sessions.models import CheckoutSession
    from lectern.events.models import Event
    from lectern.memberships.models import Membership
    from lectern.registrations.models import Registration, Trainee

_guarded = True
M = TypeVar("M", bound=models.Model)


class NotInTransaction(RuntimeError):
    """A lock outside a transaction would end at once, protecting nothing."""


@dataclass(frozen=True)
class Locked:
    """The locked rows, by id, fresh from the database."""

    events: dict[int, Event]
    memberships: dict[int, Membership]
    registrations: dict[int, Registration]
    trainees: dict[int, Trainee]
    checkout_sessions: dict[int, CheckoutSession]


def lock(
    *,
    events: Collection[int] = (),
    checkout_sessions: Collection[int] = (),
    memberships: Collection[int] = (),
    registrations: Collection[int] = (),
    trainees: Collection[int] = (),
) -> Locked:
    """Lock these events, checkout sessions, memberships, registrations and trainees (in that
    order, each by id) for the rest of the current transaction, and return them as they are
    now."""
    if not transaction.get_connection().in_atomic_block:
        raise NotInTransaction("Locks are taken inside a transaction (transaction.atomic).")
    events_locked = _rows("events.Event", events)
    sessions_locked = _rows("checkout_sessions.CheckoutSession", checkout_sessions)
    return Locked(
        events=events_locked,
        checkout_sessions=sessions_locked,
        memberships=_rows("memberships.Membership", memberships),
        registrations=_rows("registrations.Registration", registrations),
        trainees=_rows("registrations.Trainee", trainees),
    )


def _rows(label: str, ids: Collection[int]) -> dict[int, Any]:
    if not ids:
        return {}
    rows = apps.get_model(label).objects.filter(pk__in=set(ids)).order_by("pk")
    if _guarded:
        rows = rows.select_for_update()
    return {row.pk: row for row in rows}


def take(
    model: type[M],
    pk: int,
    *,
    add: Mapping[str, int],
    where: str = "",
    params: Sequence[Any] = (),
) -> M | None:
    """Add to counters of one row in one statement, only if `where` holds, and return the row
    as it is then, held for the rest of the transaction as `lock` holds it; None when `where`
    did not hold (nothing changed).

    `where` is SQL over the row's columns before the change, with `%s` for `params`, e.g.
    `"places_taken < capacity"`. PostgreSQL: a second transaction taking the same row waits
    for the first, then checks `where` against the row the first committed. (A subquery in
    `where` reads other tables as they were when the statement began, so what it counts
    must be checked again once the row is held; see `registrations.services.places`.)
    SQLite: the immediate transaction runs one writer at a time."""
    if not transaction.get_connection().in_atomic_block:
        raise NotInTransaction("Rows are taken inside a transaction (transaction.atomic).")
    if not _guarded:
        return _take_unguarded(model, pk, add, where, params)
    sql = _take_sql(model, tuple(add), where, default_connection().vendor)
    rows = rows_returned(model, sql, [*add.values(), pk, *params])
    return rows[0] if rows else None


@cache
def _take_sql(model: type[models.Model], names: tuple[str, ...], where: str, vendor: str) -> str:
    """The UPDATE of `take`, worked out once per model, counters, guard and database kind."""
    opts = model._meta
    quote = default_connection().ops.quote_name
    table, key = quote(opts.db_table), quote(opts.pk.column)
    columns = [quote(_column(model, name)) for name in names]
    guard = f" AND ({where})" if where else ""
    changes = ", ".join(f"{column} = {column} + %s" for column in columns)
    returning = every_column(model, vendor)
    # Names from the model's metadata, the guard from the code, values as parameters.
    return f"UPDATE {table} SET {changes} WHERE {key} = %s{guard} RETURNING {returning}"  # noqa: S608


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field)
    return str(field.column)


def _take_unguarded(
    model: type[M], pk: int, add: Mapping[str, int], where: str, params: Sequence[Any]
) -> M | None:
    """The concurrency tests' control: read the row and the guard, then write the new values,
    as a counter without a guard would."""
    opts = model._meta
    table = connection.ops.quote_name(opts.db_table)
    key = connection.ops.quote_name(opts.pk.column)
    guard = where or "1 = 1"
    sql = f"SELECT {table}.*, ({guard}) AS allowed FROM {table} WHERE {key} = %s"  # noqa: S608
    rows = list(model._default_manager.raw(sql, [*params, pk]))
    if not rows or not rows[0].allowed:  # type: ignore[attr-defined]
        return None
    row = rows[0]
    values = {name: getattr(row, name) + n for name, n in add.items()}
    model._default_manager.filter(pk=pk).update(**values)
    for name, value in values.items():
        setattr(row, name, value)
    return row


def guarded() -> bool:
    """False only inside `unguarded()` (the concurrency tests' controls)."""
    return _guarded


def _deferred_transactions(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.transaction_mode = None


@contextmanager
def unguarded() -> Iterator[None]:
    """Take no row locks, and begin SQLite transactions deferred, on connections opened
    meanwhile (and this thread's). For the concurrency tests' controls only."""
    global _guarded
    previous = connection.vendor == "sqlite" and getattr(connection, "transaction_mode", None)
    _guarded = False
    connection_created.connect(_deferred_transactions)
    if connection.vendor == "sqlite":
        connection.transaction_mode = None  # type: ignore[attr-defined]
    try:
        yield
    finally:
        _guarded = True
        connection_created.disconnect(_deferred_transactions)
        if connection.vendor == "sqlite":
            connection.transaction_mode = previous or None  # type: ignore[attr-defined]
