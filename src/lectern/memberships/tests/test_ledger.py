"""Seat arithmetic: every ledger case, derived figures, and the recount check."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from lectern.core.errors import Forbidden, Invalid
from lectern.memberships import services
from lectern.memberships.models import Membership, SeatEntryKind
from lectern.memberships.selectors import ledger_recount, membership_seat_summary
from lectern.memberships.services import NotEnoughSeats, ledger_append, ledger_take
from tests.factories import membership

pytestmark = pytest.mark.django_db


def figures(m: Membership) -> dict[str, int]:
    m.refresh_from_db()
    shown = membership_seat_summary(m)
    assert shown == ledger_recount(m), "running totals drifted from the ledger"
    return shown.as_dict()


@pytest.mark.parametrize(
    ("tier", "seats"),
    [("bronze", 0), ("silver", 5), ("gold", 14), ("platinum", 15), ("titanium", 0)],
)
def test_tier_grants_its_default_seats(tier: str, seats: int) -> None:
    m = membership(tier=tier)
    assert figures(m)["granted"] == seats
    assert figures(m)["available"] == seats


def test_custom_tier_needs_seats_and_takes_them() -> None:
    with pytest.raises(Invalid) as refused:
        membership(tier="custom")
    assert refused.value.fields == {"seats": ["A custom tier needs the number of seats."]}
    assert figures(membership(tier="custom", seats=7))["granted"] == 7


def test_purchase_adds_to_granted_with_reason_and_actor(staff) -> None:
    m = membership(tier="silver")
    services.seats_add(actor=staff, membership=m, delta=3, reason="bought three more")
    assert figures(m) == {"granted": 8, "reserved": 0, "used": 0, "rolled_out": 0, "available": 8}
    entry = m.ledger.order_by("id").last()
    assert (entry.kind, entry.source, entry.delta) == ("granted", "purchase", 3)
    assert (entry.actor_label, entry.reason) == ("staff@example.org", "bought three more")


def test_adjustment_down_and_overdraw_refused_unless_allowed(staff) -> None:
    m = membership(tier="silver")
    services.seats_add(actor=staff, membership=m, delta=-2, reason="correction")
    assert figures(m)["available"] == 3
    with pytest.raises(NotEnoughSeats):
        services.seats_add(actor=staff, membership=m, delta=-4, reason="too far")
    assert figures(m)["available"] == 3
    services.seats_add(
        actor=staff, membership=m, delta=-4, reason="agreed overdraw", allow_overdraw=True
    )
    assert figures(m)["available"] == -1
    assert m.ledger.order_by("id").last().overdraw is True


def test_reserve_release_and_use_move_seats(system) -> None:
    m = membership(tier="silver")
    at = m.created_at
    for kind in [SeatEntryKind.RESERVED, SeatEntryKind.RESERVED, SeatEntryKind.RESERVED]:
        ledger_append(membership=m, kind=kind, delta=1, actor=system, at=at)
    ledger_append(membership=m, kind=SeatEntryKind.RELEASED, delta=1, actor=system, at=at)
    ledger_append(membership=m, kind=SeatEntryKind.USED, delta=1, actor=system, at=at)
    assert figures(m) == {"granted": 5, "reserved": 1, "used": 1, "rolled_out": 0, "available": 3}


def test_reservation_beyond_available_is_refused(system) -> None:
    m = membership(tier="custom", seats=1)
    ledger_append(membership=m, kind=SeatEntryKind.RESERVED, delta=1, actor=system, at=m.created_at)
    with pytest.raises(NotEnoughSeats):
        ledger_append(
            membership=m, kind=SeatEntryKind.RESERVED, delta=1, actor=system, at=m.created_at
        )
    assert figures(m)["reserved"] == 1


def test_a_take_holds_the_last_available_seat_and_refuses_the_next(system) -> None:
    m = membership(tier="custom", seats=2)
    ledger_append(membership=m, kind=SeatEntryKind.RESERVED, delta=1, actor=system, at=m.created_at)
    last = ledger_take(membership_id=m.pk, kind=SeatEntryKind.RESERVED, delta=1)
    assert last is not None
    assert (last.membership.seats_reserved, last.membership.seats_available) == (2, 0)
    last.record(actor=system, at=m.created_at, reason="the last", registration_id=None)
    assert figures(m)["available"] == 0
    assert ledger_take(membership_id=m.pk, kind=SeatEntryKind.RESERVED, delta=1) is None
    assert figures(m) == {"granted": 2, "reserved": 2, "used": 0, "rolled_out": 0, "available": 0}


def test_a_take_never_releases_or_uses_a_seat_that_is_not_held(system) -> None:
    m = membership(tier="custom", seats=3)
    ledger_append(membership=m, kind=SeatEntryKind.RESERVED, delta=1, actor=system, at=m.created_at)
    assert ledger_take(membership_id=m.pk, kind=SeatEntryKind.RELEASED, delta=2) is None
    assert ledger_take(membership_id=m.pk, kind=SeatEntryKind.USED, delta=2) is None
    used = ledger_take(membership_id=m.pk, kind=SeatEntryKind.USED, delta=1)
    assert used is not None
    used.record(actor=system, at=m.created_at, registration_id=None)
    assert figures(m) == {"granted": 3, "reserved": 0, "used": 1, "rolled_out": 0, "available": 2}


def test_only_staff_change_seats(api_as) -> None:
    from lectern.accounts.services import user_ensure
    from lectern.core.permissions import Principal

    m = membership()
    coordinator = Principal(user=user_ensure(email="c@example.org", role="coordinator"))
    with pytest.raises(Forbidden):
        services.seats_add(actor=coordinator, membership=m, delta=1, reason="mine")


def test_seat_changes_need_a_reason(staff) -> None:
    with pytest.raises(Invalid):
        services.seats_add(actor=staff, membership=membership(), delta=1, reason="  ")


def test_extension_moves_end_date_and_is_recorded(staff) -> None:
    from lectern.core.models import AuditEntry

    m = membership(start_date=date(2026, 1, 1))
    services.membership_extend(
        actor=staff, membership=m, end_date=date(2027, 3, 31), reason="delayed start"
    )
    m.refresh_from_db()
    assert m.end_date == date(2027, 3, 31)
    audit = AuditEntry.objects.get(action="membership_extended", object_id=m.pk)
    assert audit.reason == "delayed start"
    assert audit.data == {"from": "2026-12-31", "to": "2027-03-31"}
    with pytest.raises(Invalid):
        services.membership_extend(
            actor=staff,
            membership=m,
            end_date=date(2027, 1, 1),
            reason="earlier is not an extension",
        )


def test_check_seats_passes_then_names_a_drifted_membership(capsys) -> None:
    good, bad = membership(), membership()
    call_command("check_seats")
    assert "ok: 2 memberships" in capsys.readouterr().out
    Membership.objects.filter(pk=bad.pk).update(seats_granted=99)
    with pytest.raises(CommandError, match="1 of 2 memberships"):
        call_command("check_seats")
    err = capsys.readouterr().err
    assert f"membership {bad.pk} " in err
    assert f"membership {good.pk} " not in err
