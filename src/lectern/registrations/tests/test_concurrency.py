"""No overbooking under concurrency: 50 clients race for the last places and seats.

Each case first runs with the guards switched off (`core.locking.unguarded`: no row locks,
deferred SQLite transactions) to show the race is real, then with the real code, which must
have exactly the right number of winners. Without the guards PostgreSQL overbooks, and
SQLite refuses late writers with "database is locked"; with them, neither happens. So
removing the guard of either database (the row lock on PostgreSQL, the immediate
transaction on SQLite) fails the locked case.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from contextlib import nullcontext
from datetime import date, timedelta

import pytest
from django.db import connection, transaction

from lectern.core.errors import DomainError
from lectern.core.locking import lock, unguarded
from lectern.core.permissions import Principal
from lectern.memberships.selectors import ledger_recount
from lectern.registrations import services
from lectern.registrations.models import Registration, Trainee, WaitlistEntry, WaitlistStatus
from tests.factories import membership

from .conftest import NOW, details, make_event

CLIENTS = 50


def race(event_ids: list[int], code: str, offset: int, *, guarded: bool) -> Counter[str]:
    """Let CLIENTS threads register at once (client n for event n modulo the events); count
    the outcomes."""
    with nullcontext() if guarded else unguarded():
        return _race(event_ids, code, offset)


def _race(event_ids: list[int], code: str, offset: int) -> Counter[str]:
    barrier = threading.Barrier(CLIENTS)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def client(n: int) -> None:
        try:
            barrier.wait()
            services.registration_create(
                actor=Principal.anonymous(),
                event_id=event_ids[n % len(event_ids)],
                code=code,
                details=details(offset + n),
                # Each from its own address: one client's attempts in flight at once share
                # its code-attempt slots (see registrations.ratelimit).
                client=f"10.1.0.{n}",
            )
            outcome = "registered"
        except DomainError as refusal:
            outcome = refusal.code
        except Exception as exc:
            outcome = f"error: {type(exc).__name__}"
        finally:
            connection.close()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


def race_shown(outcomes: Counter[str], event, member, winners: int) -> bool:
    """Without guards: more winners than places or seats, a ledger that disagrees with a
    recount, or clients refused with an error instead of a clear answer."""
    errors = sum(n for outcome, n in outcomes.items() if outcome.startswith("error"))
    return outcomes["registered"] > winners or overbooked(event, member) or errors > 0


def overbooked(event, member) -> bool:
    event.refresh_from_db()
    member.refresh_from_db()
    confirmed = Registration.objects.filter(event=event, status="confirmed").count()
    return (
        confirmed > event.capacity
        or ledger_recount(member).available < 0
        or ledger_recount(member).reserved != member.seats_reserved
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("locking", [False, True], ids=["control-without-locks", "locked"])
def test_fifty_clients_race_for_the_last_three_places(locking) -> None:
    member = membership(tier="custom", seats=200, start_date=date(2026, 10, 1))
    event = make_event(capacity=3)
    outcomes = race([event.pk], member.registration_code, offset=0, guarded=locking)
    print(f"locking={locking}: {dict(outcomes)}")  # shown with -s
    if not locking:
        assert race_shown(outcomes, event, member, winners=3), outcomes
        return
    assert outcomes == Counter({"registered": 3, "event_full": 47}), outcomes
    event.refresh_from_db()
    member.refresh_from_db()
    assert event.places_taken == 3
    assert Registration.objects.filter(event=event, status="confirmed").count() == 3
    assert ledger_recount(member).as_dict() == {
        "granted": 200,
        "reserved": 3,
        "used": 0,
        "rolled_out": 0,
        "available": 197,
    }
    assert member.seats_reserved == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("locking", [False, True], ids=["control-without-locks", "locked"])
def test_fifty_clients_race_for_the_last_two_seats(locking) -> None:
    """Over ten events, so that only the seats are contended (on PostgreSQL the clients of one
    event would queue for its row, seats or not)."""
    member = membership(tier="custom", seats=2, start_date=date(2026, 10, 1))
    events = [make_event(capacity=100) for _ in range(10)]
    outcomes = race([e.pk for e in events], member.registration_code, offset=100, guarded=locking)
    if not locking:
        assert any(race_shown(outcomes, e, member, winners=2) for e in events), outcomes
        return
    assert outcomes == Counter({"registered": 2, "no_seats_left": 48}), outcomes
    member.refresh_from_db()
    assert ledger_recount(member).as_dict() == {
        "granted": 2,
        "reserved": 2,
        "used": 0,
        "rolled_out": 0,
        "available": 0,
    }
    assert member.seats_available == 0


@pytest.mark.django_db(transaction=True)
def test_an_offer_made_while_a_registration_waits_for_the_event_keeps_its_place() -> None:
    """The last place is offered to the waiting list by a transaction holding the event's
    row; a registration that waited for that row must count the offer. (On PostgreSQL the
    waiting UPDATE re-checks its guard on the new row but reads the offers as they were when
    it began: `place_claim` counts them again once it holds the row.)"""
    member = membership(tier="custom", seats=5, start_date=date(2026, 10, 1))
    event = make_event(capacity=1)
    waiting = Trainee.objects.create(
        email="waiting@uni.example",
        name="Waiting",
        affiliation="Uni",
        country="NZ",
        created_at=NOW,
    )
    holding, offered = threading.Event(), threading.Event()

    def offer() -> None:
        try:
            with transaction.atomic():
                lock(events=[event.pk])
                holding.set()
                WaitlistEntry.objects.create(
                    event=event,
                    membership=member,
                    trainee=waiting,
                    status=WaitlistStatus.OFFERED,
                    created_at=NOW,
                    offered_at=NOW,
                    offer_expires_at=NOW + timedelta(hours=48),
                )
                time.sleep(1)  # the registration is waiting for the event's row meanwhile
            offered.set()
        finally:
            connection.close()

    thread = threading.Thread(target=offer)
    thread.start()
    assert holding.wait(10)
    with pytest.raises(DomainError) as refused:
        services.registration_create(
            actor=Principal.anonymous(),
            event_id=event.pk,
            code=member.registration_code,
            details=details(0),
            client="10.2.0.1",
            now=NOW,
        )
    thread.join(10)
    assert offered.is_set()
    assert refused.value.code == "event_full"
    event.refresh_from_db()
    assert event.places_taken == 0
