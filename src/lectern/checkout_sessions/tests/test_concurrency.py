"""A session's capacity holds under concurrency, on SQLite and PostgreSQL.

As for registrations (`registrations/tests/test_concurrency.py`): first with the guards off
(`core.locking.unguarded`), which shows the race (PostgreSQL overbooks, SQLite refuses late
writers with "database is locked"), then with the real code: exactly the places, no errors.
"""

from __future__ import annotations

import threading
from collections import Counter
from contextlib import nullcontext

import pytest
from django.db import connection

from lectern.checkout_sessions import services
from lectern.checkout_sessions.models import CheckoutSession, SessionSignup
from lectern.core.errors import DomainError
from lectern.core.locking import unguarded
from lectern.core.permissions import Principal
from lectern.registrations.models import Trainee

from .conftest import SIGNUP_TIME, open_checkouts, session

CLIENTS = 30
PLACES = 3


def race(session_id: int, trainee_ids: list[int], *, guarded: bool) -> Counter[str]:
    barrier = threading.Barrier(len(trainee_ids))
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def client(trainee_id: int) -> None:
        try:
            barrier.wait()
            services.checkout_session_signup(
                actor=Principal.personal(trainee_id),
                trainee=Trainee.objects.get(pk=trainee_id),
                session=CheckoutSession.objects.get(pk=session_id),
                now=SIGNUP_TIME,
            )
            outcome = "signed_up"
        except DomainError as refusal:
            outcome = refusal.code
        except Exception as exc:
            outcome = f"error: {type(exc).__name__}"
        finally:
            connection.close()
        with lock:
            outcomes[outcome] += 1

    with nullcontext() if guarded else unguarded():
        threads = [threading.Thread(target=client, args=(t,)) for t in trainee_ids]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("locking", [False, True], ids=["control-without-locks", "locked"])
def test_thirty_trainees_race_for_the_last_three_places(locking: bool) -> None:
    from lectern.accounts.services import user_ensure

    host = user_ensure(email="host@trainers.example", role="trainer")
    demo = session(host, capacity=PLACES)
    trainee_ids = [t.pk for t in open_checkouts(CLIENTS)]
    outcomes = race(demo.pk, trainee_ids, guarded=locking)
    demo.refresh_from_db()
    on_it = SessionSignup.objects.filter(session=demo, status="signed_up").count()
    print(f"locking={locking}: {dict(outcomes)}")  # shown with -s
    if not locking:
        errors = sum(n for outcome, n in outcomes.items() if outcome.startswith("error"))
        assert outcomes["signed_up"] > PLACES or on_it != demo.places_taken or errors, outcomes
        return
    assert outcomes == Counter({"signed_up": PLACES, "session_full": CLIENTS - PLACES}), outcomes
    assert demo.places_taken == on_it == PLACES
