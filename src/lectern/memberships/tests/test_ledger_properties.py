"""Property: any sequence of ledger operations keeps available >= 0 (no overdraw asked for)
and the figures shown equal a full recount of the entries."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lectern.core.errors import DomainError
from lectern.core.permissions import Principal
from lectern.memberships import services
from lectern.memberships.models import SeatEntryKind
from lectern.memberships.selectors import ledger_recount, membership_seat_summary
from lectern.memberships.services import ledger_append, ledger_take, lock_membership
from tests.factories import OrganizationFactory

SYSTEM = Principal.as_system()

operations = st.lists(
    st.one_of(
        st.tuples(st.just("purchase"), st.integers(1, 5)),
        st.tuples(st.just("adjust"), st.integers(-6, 6).filter(bool)),
        st.tuples(st.just("reserve"), st.just(1)),
        st.tuples(st.just("release"), st.just(1)),
        st.tuples(st.just("use"), st.just(1)),
        st.tuples(st.just("rollover"), st.integers(1, 6)),
        st.tuples(st.just("take reserve"), st.integers(1, 3)),
        st.tuples(st.just("take release"), st.integers(1, 3)),
        st.tuples(st.just("take use"), st.just(1)),
    ),
    max_size=25,
)

KINDS = {
    "reserve": SeatEntryKind.RESERVED,
    "release": SeatEntryKind.RELEASED,
    "use": SeatEntryKind.USED,
}


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(initial=st.integers(0, 6), ops=operations)
def test_random_ledger_operations_keep_figures_true(
    initial: int, ops: list[tuple[str, int]]
) -> None:
    m = services.membership_create(
        actor=SYSTEM,
        organization=OrganizationFactory(),
        tier="custom",
        seats=initial,
        start_date=date(2026, 1, 1),
    )
    rolled = False
    for op, n in ops:
        try:
            if op == "purchase":
                services.seats_add(actor=SYSTEM, membership=m, delta=n, reason="p")
            elif op == "adjust":
                services.seats_add(actor=SYSTEM, membership=m, delta=n, reason="a", adjustment=True)
            elif op == "rollover":
                if rolled:
                    continue
                services.seats_rollover(actor=SYSTEM, membership=m, seats=n)
                rolled = True
            elif op.startswith("take "):
                # The one-statement take refuses exactly what ledger_append refuses.
                kind = KINDS[op.removeprefix("take ")]
                before = membership_seat_summary(m)
                refused = before.after(kind, n).available < min(0, before.available) or (
                    before.after(kind, n).reserved < 0
                )
                taken = ledger_take(membership_id=m.pk, kind=kind, delta=n)
                assert (taken is None) == refused, (op, n, before)
                if taken is not None:
                    taken.record(actor=SYSTEM, at=m.created_at, registration_id=None)
            else:
                ledger_append(
                    membership=lock_membership(m.pk),
                    kind=KINDS[op],
                    delta=n,
                    actor=SYSTEM,
                    at=m.created_at,
                )
        except DomainError:
            pass  # a refusal must leave the figures as they were; checked below
        m.refresh_from_db()
        shown = membership_seat_summary(m)
        assert shown.available >= 0
        assert shown.reserved >= 0
        assert shown == ledger_recount(m)
