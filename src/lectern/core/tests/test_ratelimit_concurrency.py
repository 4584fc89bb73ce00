"""Rate limits hold under concurrency: requests race for the last slots of a limit.

As in `registrations/tests/test_concurrency.py`, each case first runs with the guards off
(`core.locking.unguarded`: the counter read then written in two statements, deferred SQLite
transactions) to show that the race is real, then with the real code, which must let exactly
the limit through.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from contextlib import nullcontext
from datetime import date

import pytest
from django.db import connection

from lectern.accounts.services import user_ensure
from lectern.core.errors import DomainError
from lectern.core.locking import unguarded
from lectern.core.models import RateCount
from lectern.core.permissions import Principal
from lectern.notifications.models import Message
from lectern.registrations import services
from lectern.registrations.services.signin import sign_in_request
from lectern.registrations.tests.conftest import details, make_event
from tests.factories import membership

pytestmark = pytest.mark.django_db(transaction=True)


def race(clients: int, act: Callable[[int], None], *, guarded: bool) -> Counter[str]:
    barrier = threading.Barrier(clients)
    outcomes: Counter[str] = Counter()
    lock = threading.Lock()

    def client(n: int) -> None:
        try:
            barrier.wait()
            act(n)
            outcome = "ok"
        except DomainError as refusal:
            outcome = refusal.code
        except Exception as exc:
            outcome = f"error: {type(exc).__name__}"
        finally:
            connection.close()
        with lock:
            outcomes[outcome] += 1

    with nullcontext() if guarded else unguarded():
        threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    return outcomes


def errors(outcomes: Counter[str]) -> int:
    return sum(n for outcome, n in outcomes.items() if outcome.startswith("error"))


@pytest.mark.parametrize("guarded", [False, True], ids=["control-without-guards", "guarded"])
def test_25_parallel_sign_in_requests_for_one_address_queue_exactly_the_limit(
    guarded, settings
) -> None:
    limit = settings.LECTERN["LOGIN_LINKS_PER_HOUR"]
    user_ensure(email="coord@uni.example", role="trainer")

    def act(n: int) -> None:
        sign_in_request(email="coord@uni.example", client=f"10.5.0.{n}")

    outcomes = race(25, act, guarded=guarded)
    queued = Message.objects.filter(kind="login_link").count()
    print(f"guarded={guarded}: {dict(outcomes)}, {queued} queued")  # shown with -s
    if not guarded:
        assert queued > limit or outcomes["ok"] > limit or errors(outcomes), outcomes
        return
    assert outcomes == Counter({"ok": limit, "rate_limited": 25 - limit}), outcomes
    assert queued == limit


@pytest.mark.parametrize("guarded", [False, True], ids=["control-without-guards", "guarded"])
def test_40_parallel_wrong_codes_from_one_client_get_exactly_the_limit(guarded, settings) -> None:
    limit = settings.LECTERN["CODE_ATTEMPTS_PER_CLIENT"]
    event = make_event()

    def act(n: int) -> None:
        services.registration_create(
            actor=Principal.anonymous(),
            event_id=event.pk,
            code=f"GUESS-{n:04}",
            details=details(n),
            client="10.6.0.1",
        )

    outcomes = race(40, act, guarded=guarded)
    print(f"guarded={guarded}: {dict(outcomes)}")  # shown with -s
    if not guarded:
        assert outcomes["unknown_code"] > limit or errors(outcomes), outcomes
        return
    assert outcomes == Counter({"unknown_code": limit, "rate_limited": 40 - limit}), outcomes


def test_20_right_codes_from_one_client_at_once_are_all_let_through(settings) -> None:
    """A right code writes no counter, so a classroom behind one address can register
    together however low the wrong-code limit is (no control: nothing is guarded here)."""
    settings.LECTERN = {**settings.LECTERN, "CODE_ATTEMPTS_PER_CLIENT": 5}
    event = make_event(capacity=50)
    member = membership(tier="custom", seats=50, start_date=date(2026, 10, 1))

    def act(n: int) -> None:
        services.registration_create(
            actor=Principal.anonymous(),
            event_id=event.pk,
            code=member.registration_code,
            details=details(n),
            client="10.7.0.1",
        )

    assert race(20, act, guarded=True) == Counter({"ok": 20})
    assert not RateCount.objects.exists()
