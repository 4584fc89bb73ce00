"""Memberships: default length, consortia, contacts, rollover, registration codes."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest

from lectern.core.errors import Conflict, Invalid
from lectern.memberships import services
from lectern.memberships.codes import ALPHABET, code_entropy_bits
from lectern.memberships.models import IssuedCode, Membership
from lectern.memberships.selectors import (
    attendance_advice,
    ledger_recount,
    membership_warnings,
    memberships_visible_to,
    one_year_end,
)
from tests.factories import OrganizationFactory, membership

pytestmark = pytest.mark.django_db


def test_default_term_is_one_year_and_other_lengths_warn_but_pass() -> None:
    m = membership(start_date=date(2026, 3, 1))
    assert m.end_date == date(2027, 2, 28)
    assert membership_warnings(m) == []
    long = membership(start_date=date(2026, 3, 1), end_date=date(2027, 6, 30))
    assert membership_warnings(long) == ["This membership lasts 487 days, not the usual one year."]


def test_one_year_end_on_a_leap_day() -> None:
    assert one_year_end(date(2028, 2, 29)) == date(2029, 2, 27)
    assert one_year_end(date(2027, 1, 1)) == date(2027, 12, 31)


def test_end_before_start_is_refused() -> None:
    with pytest.raises(Invalid) as refused:
        membership(start_date=date(2026, 5, 1), end_date=date(2026, 4, 30))
    assert "end_date" in refused.value.fields


def test_consortium_has_a_main_organisation_and_members() -> None:
    main, a, b = OrganizationFactory(), OrganizationFactory(), OrganizationFactory()
    m = membership(organization=main, consortium=[a, b, main])
    assert m.organization == main
    assert set(m.consortium.all()) == {a, b}
    assert list(a.consortium_memberships.all()) == [m]


class TestRegistrationCodes:
    def test_generated_codes_avoid_look_alikes_and_carry_50_bits(self) -> None:
        codes = {membership().registration_code for _ in range(20)}
        assert len(codes) == 20
        for code in codes:
            assert len(code) >= 10
            assert set(code) <= set(ALPHABET)
        assert not set("0O1IL") & set(ALPHABET)
        assert code_entropy_bits(len(next(iter(codes)))) >= 50
        assert math.log2(len(ALPHABET)) * 12 == pytest.approx(code_entropy_bits(12))

    def test_custom_code_is_case_insensitive_and_unique(self) -> None:
        m = membership(registration_code="  summer-Team ")
        assert m.registration_code == "SUMMER-TEAM"
        with pytest.raises(Invalid) as refused:
            membership(registration_code="Summer-team")
        assert refused.value.fields == {"registration_code": ["This code has been issued before."]}
        assert Membership.objects.count() == 1

    def test_custom_code_needs_eight_characters(self) -> None:
        with pytest.raises(Invalid) as refused:
            membership(registration_code="SHORT12")
        assert refused.value.fields == {
            "registration_code": ["A custom code needs at least 8 characters."]
        }

    def test_a_reset_code_is_never_issued_again(self, staff) -> None:
        m = membership(registration_code="OLDCODE-2026")
        services.registration_code_reset(actor=staff, membership=m, reason="leaked")
        m.refresh_from_db()
        assert m.registration_code != "OLDCODE-2026"
        assert IssuedCode.objects.filter(code="OLDCODE-2026", membership=m).exists()
        with pytest.raises(Invalid):
            membership(registration_code="oldcode-2026")


class TestRollover:
    def test_moves_available_seats_into_the_next_term(self, staff) -> None:
        old = membership(tier="silver", start_date=date(2026, 1, 1))
        services.contact_add(
            actor=staff, membership=old, email="Coord@Example.org", name="Coord", role="coordinator"
        )
        new = services.seats_rollover(actor=staff, membership=old, seats=3)
        old.refresh_from_db()
        assert (new.start_date, new.end_date) == (date(2027, 1, 1), date(2027, 12, 31))
        assert new.registration_code != old.registration_code
        assert new.rolled_over_from == old
        assert ledger_recount(old).as_dict() == {
            "granted": 5,
            "reserved": 0,
            "used": 0,
            "rolled_out": 3,
            "available": 2,
        }
        assert ledger_recount(new).as_dict() == {
            "granted": 8,
            "reserved": 0,
            "used": 0,
            "rolled_out": 0,
            "available": 8,
        }
        sources = sorted(new.ledger.values_list("source", "delta"))
        assert sources == [("rollover_in", 3), ("tier", 5)]
        assert list(new.contacts.values_list("email", "role")) == [
            ("coord@example.org", "coordinator")
        ]

    def test_is_capped_at_available(self, staff) -> None:
        old = membership(tier="silver")
        with pytest.raises(Conflict) as refused:
            services.seats_rollover(actor=staff, membership=old, seats=6)
        assert refused.value.code == "rollover_exceeds_available"
        assert "Only 5 seat(s)" in refused.value.message
        assert Membership.objects.count() == 1

    def test_happens_once(self, staff) -> None:
        old = membership(tier="gold")
        services.seats_rollover(actor=staff, membership=old, seats=1)
        with pytest.raises(Conflict) as refused:
            services.seats_rollover(actor=staff, membership=old, seats=1)
        assert refused.value.code == "already_rolled_over"


def test_coordinators_see_only_their_memberships(staff) -> None:
    from lectern.accounts.services import user_ensure
    from lectern.core.permissions import Principal

    mine, other = membership(), membership()
    services.contact_add(
        actor=staff, membership=mine, email="c@example.org", name="C", role="coordinator"
    )
    services.contact_add(
        actor=staff, membership=other, email="c@example.org", name="C", role="billing"
    )
    coordinator = Principal(user=user_ensure(email="C@example.org"))
    assert list(memberships_visible_to(coordinator)) == [mine]
    assert set(memberships_visible_to(staff)) == {mine, other}
    assert list(memberships_visible_to(Principal.anonymous())) == []


def test_attendance_advice_counts_days_left_in_first_six_months() -> None:
    m = membership(start_date=date(2026, 1, 15))
    advice = attendance_advice(m, today=date(2026, 7, 10))
    assert advice.advised_until == date(2026, 7, 14)
    assert advice.days_left == 5
    assert attendance_advice(m, today=date(2026, 8, 1)).days_left == 0
    assert attendance_advice(m, today=date(2025, 12, 1)).days_left == 181


class TestRolloverWindowAndExtension:
    """Rollover from ROLLOVER_WINDOW_DAYS (60) before the end, earlier only with a reason;
    no extension into the successor's term."""

    def at(self, day: date) -> datetime:
        return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)

    def test_the_window_opens_60_days_before_the_end(self, staff) -> None:
        old = membership(tier="silver", start_date=date(2027, 1, 1))  # ends 2027-12-31
        assert services.rollover_window_opens(old) == date(2027, 11, 1)
        with pytest.raises(Conflict) as refused:
            services.seats_rollover(
                actor=staff, membership=old, seats=1, now=self.at(date(2027, 10, 31))
            )
        assert refused.value.code == "reason_required"
        assert "01 November 2027" in refused.value.message
        new = services.seats_rollover(
            actor=staff, membership=old, seats=1, now=self.at(date(2027, 11, 1))
        )
        assert new.start_date == date(2028, 1, 1)

    def test_earlier_with_a_reason_which_is_recorded(self, staff) -> None:
        old = membership(tier="silver", start_date=date(2027, 1, 1))
        services.seats_rollover(
            actor=staff,
            membership=old,
            seats=2,
            reason="Renewed early by the board",
            now=self.at(date(2027, 2, 1)),
        )
        entry = old.ledger.get(kind="rolled_out")
        assert entry.reason.endswith(": Renewed early by the board")

    def test_the_next_term_starts_after_this_one_ends(self, staff) -> None:
        """A start inside the term made two terms run at once (each with its code)."""
        old = membership(tier="silver", start_date=date(2027, 1, 1))  # ends 2027-12-31
        with pytest.raises(Invalid) as refused:
            services.seats_rollover(
                actor=staff,
                membership=old,
                seats=1,
                start_date=date(2027, 12, 31),
                now=self.at(date(2027, 12, 1)),
            )
        assert refused.value.fields == {
            "start_date": ["The next term must start after this one ends (31 December 2027)."]
        }
        assert not Membership.objects.filter(rolled_over_from=old).exists()
        new = services.seats_rollover(
            actor=staff,
            membership=old,
            seats=1,
            start_date=date(2028, 1, 1),
            now=self.at(date(2027, 12, 1)),
        )
        assert new.start_date == date(2028, 1, 1)

    def test_no_extension_into_the_successors_term(self, staff) -> None:
        old = membership(tier="silver", start_date=date(2027, 1, 1))
        services.seats_rollover(
            actor=staff,
            membership=old,
            seats=1,
            start_date=date(2028, 2, 1),
            now=self.at(date(2027, 12, 1)),
        )
        services.membership_extend(
            actor=staff, membership=old, end_date=date(2028, 1, 31), reason="gap month"
        )
        with pytest.raises(Conflict) as refused:
            services.membership_extend(
                actor=staff, membership=old, end_date=date(2028, 2, 1), reason="overlap"
            )
        assert refused.value.code == "overlaps_successor"
        old.refresh_from_db()
        assert old.end_date == date(2028, 1, 31)

    def test_no_extension_into_a_next_term_created_by_hand(self, staff) -> None:
        old = membership(tier="silver", start_date=date(2027, 1, 1))
        membership(tier="silver", start_date=date(2028, 3, 1), organization=old.organization)
        services.membership_extend(
            actor=staff, membership=old, end_date=date(2028, 2, 29), reason="up to the next"
        )
        with pytest.raises(Conflict) as refused:
            services.membership_extend(
                actor=staff, membership=old, end_date=date(2028, 3, 1), reason="overlap"
            )
        assert refused.value.code == "overlaps_successor"
        assert "1 March 2028" in refused.value.message
