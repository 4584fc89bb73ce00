"""Every row lock the services take, in one fixed order (pretix `services/locking.py`).

A service that makes places or seats less available locks the rows it changes before it
reads them: events, then checkout sessions (welcome sessions and teaching demos), then
memberships, then registrations, then trainees, each kind in id order. Two
services that lock the same rows therefore queue instead of deadlocking.

Which guard holds on which database:
- PostgreSQL: the row lock (`SELECT ... FOR UPDATE`) taken here. Without it two
  registrations read the same count of places and both write "one more".
- SQLite: the immediate transaction (`transaction_mode: IMMEDIATE` in the settings). Every
  writing transaction takes the database's write lock when it begins, so transactions run
  one at a time; `FOR UPDATE` means nothing there. Without it, a transaction that read
  before another one committed fails when it writes ("database is locked").

`unguarded()` turns both guards off. It exists for the concurrency tests' controls, which
show that the race is real without the guards; nothing else uses it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import connection, transaction
from django.db.backends.signals import connection_created

if TYPE_CHECKING:
    from lectern.checkout_sessions.models import CheckoutSession
    from lectern.events.models import Event
    from lectern.memberships.models import Membership
    from lectern.registrations.models import Registration, Trainee

_guarded = True


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
