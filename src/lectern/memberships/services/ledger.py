"""The seat ledger: every change of a membership's seat figures is one entry.

Two ways to write one, both here and nowhere else:
- `ledger_append`: the caller holds the membership row (`lock_membership`, `core.locking`)
  and the entry moves its totals; any kind, overdraws by staff;
- `ledger_take` then `LedgerTake.record`: a change that makes seats less available (a
  registration's reserved seat) as one guarded UPDATE of the totals, which also holds the
  row, and then its entry, without reading the membership first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from lectern.core import clock
from lectern.core.errors import Conflict, Invalid
from lectern.core.locking import lock, take
from lectern.core.permissions import Principal, require_staff
from lectern.core.rows import row_insert
from lectern.memberships.models import (
    GrantSource,
    Membership,
    SeatEntry,
    SeatEntryKind,
)
from lectern.memberships.selectors import (
    SeatSummary,
    membership_seat_summary,
)

# The most seats granted or adjusted in one entry: far above any membership (tiers carry
# a handful to a few dozen), and a bound on input.
MAX_SEATS_AT_ONCE = 10_000


class NotEnoughSeats(Conflict):
    code = "no_seats_left"
    default_message = "This membership has no seats left for that."


def written_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise Invalid.field("reason", "Give a reason; it is kept in the record.")
    return reason


def ledger_append(
    *,
    membership: Membership,
    kind: SeatEntryKind,
    delta: int,
    actor: Principal,
    at: datetime,
    reason: str = "",
    source: GrantSource = GrantSource.NONE,
    allow_overdraw: bool = False,
    related_membership: Membership | None = None,
    registration_id: int | None = None,
) -> SeatEntry:
    """Add a ledger entry and move the membership's running totals with it.

    The only writer of seat figures. The caller holds the membership row locked
    (`select_for_update`) inside its transaction. Available seats never drop below zero
    unless staff explicitly allow an overdraw, which is recorded on the entry.
    """
    before = membership_seat_summary(membership)
    after = before.after(kind, delta)
    overdraw = after.available < 0 and after.available < before.available
    if overdraw and not (allow_overdraw and actor.is_staff):
        raise NotEnoughSeats(
            f"This membership has {before.available} seat(s) available; "
            f"this change needs {before.available - after.available}."
        )
    if after.reserved < 0:
        raise Conflict("No held seat to release or use.", code="no_reserved_seat")
    entry = SeatEntry.objects.create(
        membership=membership,
        at=at,
        kind=kind,
        source=source,
        delta=delta,
        actor=actor.user,
        actor_label=actor.label,
        reason=reason,
        overdraw=overdraw,
        related_membership=related_membership,
        registration_id=registration_id,
    )
    membership.seats_granted = after.granted
    membership.seats_reserved = after.reserved
    membership.seats_used = after.used
    membership.seats_rolled_out = after.rolled_out
    membership.save(
        update_fields=["seats_granted", "seats_reserved", "seats_used", "seats_rolled_out"]
    )
    return entry


@dataclass
class LedgerTake:
    """Seats moved by `ledger_take`; `record` writes the entry that says so."""

    membership: Membership
    kind: SeatEntryKind
    delta: int
    recorded: bool = False

    def record(
        self, *, actor: Principal, at: datetime, reason: str = "", registration_id: int | None
    ) -> SeatEntry:
        """The entry of this change, in the same transaction (check-seats fails without it)."""
        assert not self.recorded, "one entry per change"
        self.recorded = True
        entry = row_insert(
            SeatEntry(
                membership=self.membership,
                at=at,
                kind=self.kind,
                delta=self.delta,
                actor=actor.user,
                actor_label=actor.label,
                reason=reason,
                registration_id=registration_id,
            )
        )
        assert entry is not None
        return entry


# The seats available after a change, from each total and how the change moves it.
AVAILABLE_AFTER = (
    "seats_granted + %s - (seats_reserved + %s) - (seats_used + %s) - (seats_rolled_out + %s)"
)


def ledger_take(*, membership_id: int, kind: SeatEntryKind, delta: int) -> LedgerTake | None:
    """Move a membership's totals as an entry of `kind` moving `delta` seats would
    (`SeatSummary.after`), in one statement that refuses to take available seats below
    zero or held seats below zero; None when it refused (nothing changed). The membership
    comes back as it is now, held until the transaction ends; the caller then writes the
    entry with `record`."""
    moves = SeatSummary().after(kind, delta)
    totals = {
        "seats_granted": moves.granted,
        "seats_reserved": moves.reserved,
        "seats_used": moves.used,
        "seats_rolled_out": moves.rolled_out,
    }
    floors, params = ["seats_reserved + %s >= 0"], [moves.reserved]
    if moves.available < 0:  # it takes seats: never past the last available one
        floors.append(f"{AVAILABLE_AFTER} >= 0")
        params.extend(totals.values())
    membership = take(
        Membership,
        membership_id,
        add={name: n for name, n in totals.items() if n},
        where=" AND ".join(floors),
        params=params,
    )
    return None if membership is None else LedgerTake(membership, kind, delta)


def lock_membership(membership_id: int) -> Membership:
    """Lock one membership (for the membership services, which lock nothing else)."""
    return lock(memberships=[membership_id]).memberships[membership_id]


@transaction.atomic
def seats_add(
    *,
    actor: Principal,
    membership: Membership,
    delta: int,
    reason: str,
    adjustment: bool | None = None,
    allow_overdraw: bool = False,
    now: datetime | None = None,
) -> Membership:
    """Add purchased seats (delta > 0) or adjust the seats granted (either sign), with a reason.

    A negative delta is an adjustment; it may not take available seats below zero unless
    `allow_overdraw` is set, which is recorded.
    """
    require_staff(actor)
    reason = written_reason(reason)
    if delta == 0 or abs(delta) > MAX_SEATS_AT_ONCE:
        raise Invalid.field(
            "delta",
            f"Give a number of seats other than zero, up to {MAX_SEATS_AT_ONCE:,} either way.",
        )
    if adjustment is False and delta < 0:
        raise Invalid.field("delta", "Purchased seats must be a positive number.")
    now = clock.resolve(now)
    membership = lock_membership(membership.pk)
    is_adjustment = adjustment if adjustment is not None else delta < 0
    ledger_append(
        membership=membership,
        kind=SeatEntryKind.ADJUSTED if is_adjustment else SeatEntryKind.GRANTED,
        source=GrantSource.NONE if is_adjustment else GrantSource.PURCHASE,
        delta=delta,
        actor=actor,
        at=now,
        reason=reason,
        allow_overdraw=allow_overdraw,
    )
    return membership
