"""core.locking: locks only inside a transaction, always in one order."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from lectern.core.locking import NotInTransaction, lock, take
from lectern.events.models import Event
from lectern.registrations.tests.conftest import make_event
from tests.factories import membership

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_a_lock_outside_a_transaction_is_refused() -> None:
    event = make_event()
    with pytest.raises(NotInTransaction):
        lock(events=[event.pk])
    with transaction.atomic():
        assert list(lock(events=[event.pk]).events) == [event.pk]


def test_rows_are_locked_events_first_then_memberships_then_registrations() -> None:
    member = membership(tier="silver", start_date=date(2026, 10, 1))
    second, first = make_event(), make_event()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        locked = lock(
            registrations=[1], memberships=[member.pk], events=[first.pk, second.pk, first.pk]
        )
    tables = [
        re.search(r'FROM "(\w+)"', q["sql"]).group(1)  # type: ignore[union-attr]
        for q in queries.captured_queries
    ]
    assert tables == ["events_event", "memberships_membership", "registrations_registration"]
    assert list(locked.events) == sorted([first.pk, second.pk])
    assert locked.memberships[member.pk].pk == member.pk
    if connection.vendor == "postgresql":
        assert all("FOR UPDATE" in q["sql"] for q in queries.captured_queries)


@pytest.mark.django_db(transaction=True)
def test_a_take_outside_a_transaction_is_refused() -> None:
    event = make_event()
    with pytest.raises(NotInTransaction):
        take(Event, event.pk, add={"places_taken": 1})


def test_a_take_changes_the_row_only_while_its_guard_holds() -> None:
    event = make_event(capacity=2)
    guard = {"where": "places_taken < capacity"}
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        first = take(Event, event.pk, add={"places_taken": 1}, **guard)
        last = take(Event, event.pk, add={"places_taken": 1}, **guard)
        refused = take(Event, event.pk, add={"places_taken": 1}, **guard)
    assert first is not None
    assert last is not None
    assert (first.places_taken, last.places_taken, last.title) == (1, 2, event.title)
    assert refused is None
    assert len(queries.captured_queries) == 3  # one statement each, no read before
    event.refresh_from_db()
    assert event.places_taken == 2
