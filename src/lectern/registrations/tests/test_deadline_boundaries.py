"""Every rule that fires at a deadline, one second before and at it, and only once.

The events are in New York in March 2027, across the change to summer time on the 14th, so
that a deadline counted in 24-hour days instead of local calendar days misses by an hour.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from lectern.accounts.services import user_ensure
from lectern.core.errors import DomainError
from lectern.core.permissions import Principal
from lectern.events.deadlines import (
    EMERGENCY_WINDOW,
    LOW_ENROLMENT_DECISION,
    REGISTRATION_CUTOFF,
    TRAINER_NOTICE,
)
from lectern.notifications.models import Message
from lectern.notifications.scheduler import tick
from lectern.registrations import services
from lectern.registrations.models import RegistrationStatus
from tests.factories import membership

from .conftest import details, make_event

pytestmark = pytest.mark.django_db
SECOND = timedelta(seconds=1)
# Tue 16 March 2027 09:00 EDT = 13:00Z; seven calendar days before is 09:00 EST = 14:00Z.
START_DAY = "2027-03-16"
CUTOFF = datetime(2027, 3, 9, 14, 0, tzinfo=UTC)


@pytest.fixture
def gold(db):
    return membership(tier="gold", start_date=date(2026, 10, 1))  # 14 seats


def register(event, member, n, now=None):
    return services.registration_create(
        actor=Principal.anonymous(),
        event_id=event.pk,
        code=member.registration_code,
        details=details(n),
        now=now,
    ).registration


def withdraw(registration, now):
    return services.registration_withdraw(
        actor=Principal.trainee(registration.pk), registration=registration, now=now
    )


def refusal(call) -> str:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.code


class TestCutoff:
    def test_the_cutoff_is_the_local_time_seven_calendar_days_before(self, db) -> None:
        assert REGISTRATION_CUTOFF.at(make_event(day=START_DAY)) == CUTOFF

    def test_withdrawal_one_second_before_releases_and_at_the_cutoff_forfeits(self, gold) -> None:
        event = make_event(day=START_DAY)
        early, late = register(event, gold, 0), register(event, gold, 1)
        assert withdraw(early, CUTOFF - SECOND).status == RegistrationStatus.WITHDRAWN
        assert withdraw(late, CUTOFF).status == RegistrationStatus.FORFEITED
        gold.refresh_from_db()
        assert (gold.seats_used, gold.seats_reserved) == (1, 0)

    def test_registration_closes_at_the_cutoff_and_says_when(self, gold) -> None:
        event = make_event(day=START_DAY)
        assert register(event, gold, 0, now=CUTOFF - SECOND)
        with pytest.raises(DomainError) as refused:
            register(event, gold, 1, now=CUTOFF)
        assert refused.value.code == "registration_closed"
        assert "Tue 9 Mar 2027, 09:00 EST (UTC\u221205:00)" in refused.value.message
        assert "7 days before the first session starts" in refused.value.message

    def test_moving_into_an_event_closes_at_its_cutoff(self, gold) -> None:
        source, target = make_event(day="2027-04-20"), make_event(day=START_DAY)
        first, second = register(source, gold, 0), register(source, gold, 1)
        move = services.registration_move
        moved = move(
            actor=Principal.trainee(first.pk),
            registration=first,
            event_id=target.pk,
            now=CUTOFF - SECOND,
        )
        assert moved.event_id == target.pk
        assert (
            refusal(
                lambda: move(
                    actor=Principal.trainee(second.pk),
                    registration=second,
                    event_id=target.pk,
                    now=CUTOFF,
                )
            )
            == "registration_closed"
        )

    def test_move_and_rebooking_lists_hide_an_event_from_its_cutoff_on(self, gold) -> None:
        event = make_event(day=START_DAY)
        listed = services.future_events_with_seats
        assert event in listed(now=CUTOFF - SECOND)
        assert event not in listed(now=CUTOFF)
        # A cancelled event's trainees are offered only events still open.
        cancelled = make_event(day="2027-03-20")
        register(cancelled, gold, 0)
        services.event_cancel(
            actor=Principal.as_system(), event=cancelled, reason="trainer ill", now=CUTOFF
        )
        told = Message.objects.get(kind="event_cancelled").body_text
        assert f"/events/{event.pk}/" not in told

    def test_the_preparation_email_goes_at_the_cutoff_once(self, gold) -> None:
        event = make_event(day=START_DAY)
        register(event, gold, 0)
        tick(now=CUTOFF - SECOND, send=False)
        assert not Message.objects.filter(kind="preparation").exists()
        tick(now=CUTOFF, send=False)
        tick(now=CUTOFF + timedelta(hours=1), send=False)
        assert Message.objects.filter(kind="preparation").count() == 1
        assert event.pk


class TestEmergencyWindow:
    def test_open_until_its_last_second_then_closed(self, gold, staff) -> None:
        # Ends Wed 10 March 17:00 EST (22:00Z); 7 days later is 17:00 EDT, 21:00Z.
        event = make_event(day="2027-03-10")
        closes = datetime(2027, 3, 17, 21, 0, tzinfo=UTC)
        assert EMERGENCY_WINDOW.at(event) == closes
        last, late = register(event, gold, 0), register(event, gold, 1)

        def emergency(registration, now):
            return services.registration_emergency(
                actor=staff, registration=registration, reason="hospital", now=now
            )

        assert emergency(last, closes - SECOND).status == RegistrationStatus.WITHDRAWN
        with pytest.raises(DomainError) as refused:
            emergency(late, closes)
        assert refused.value.code == "emergency_window_closed"
        assert "7 days after the last session ends" in refused.value.message
        assert "Wed 17 Mar 2027, 17:00 EDT" in refused.value.message


class TestLowEnrolmentDecision:
    DECISION = datetime(2027, 3, 2, 14, 0, tzinfo=UTC)  # Tue 2 March 09:00 EST

    def test_taken_at_t_minus_14_not_a_second_before(self, gold) -> None:
        event = make_event(day=START_DAY, min_enrolment=4)
        assert LOW_ENROLMENT_DECISION.at(event) == self.DECISION
        for n in range(3):
            register(event, gold, n)
        tick(now=self.DECISION - SECOND, send=False)
        event.refresh_from_db()
        assert (event.status, event.enrolment_decided_at) == ("scheduled", None)
        tick(now=self.DECISION, send=False)
        event.refresh_from_db()
        assert event.status == "cancelled"
        assert (event.enrolment_decided_at, event.enrolment_at_decision) == (self.DECISION, 3)
        assert event.cancel_reason.startswith("Fewer than 4 trainees had registered")
        assert "3 had" in event.cancel_reason

    def test_late_withdrawals_never_cancel_after_the_decision(self, gold) -> None:
        # Six registered at T-14 (minimum 4); three withdraw late; the tick 5 days before
        # the start must not cancel on the new numbers.
        event = make_event(day=START_DAY, min_enrolment=4)
        registrations = [register(event, gold, n) for n in range(6)]
        tick(now=self.DECISION, send=False)
        event.refresh_from_db()
        assert (event.status, event.enrolment_at_decision) == ("scheduled", 6)
        for registration in registrations[:3]:
            withdraw(registration, CUTOFF + timedelta(hours=1))
        tick(now=event.first_start - timedelta(days=5), send=False)
        event.refresh_from_db()
        assert (event.status, event.places_taken) == ("scheduled", 3)
        assert not Message.objects.filter(kind="event_cancelled").exists()
        assert event.enrolment_decided_at == self.DECISION

    def test_a_second_decision_is_refused_by_the_service_itself(self, gold) -> None:
        event = make_event(day=START_DAY, min_enrolment=4)
        registrations = [register(event, gold, n) for n in range(4)]
        assert services.event_enrolment_decide(event=event, now=self.DECISION) is False
        withdraw(registrations[0], CUTOFF + SECOND)
        later = self.DECISION + timedelta(days=8)
        assert services.event_enrolment_decide(event=event, now=later) is False
        event.refresh_from_db()
        assert (event.status, event.enrolment_decided_at) == ("scheduled", self.DECISION)

    def test_an_event_scheduled_inside_the_window_is_decided_at_the_first_run(self, gold) -> None:
        now = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
        soon = make_event(day="2027-01-20", min_enrolment=2)  # T-14 already passed
        tick(now=now, send=False)
        soon.refresh_from_db()
        assert (soon.status, soon.enrolment_decided_at) == ("cancelled", now)

    def test_run_regardless_is_recorded_and_kept(self, gold) -> None:
        event = make_event(day=START_DAY, min_enrolment=4, run_regardless=True)
        tick(now=self.DECISION, send=False)
        event.refresh_from_db()
        assert (event.status, event.enrolment_at_decision) == ("scheduled", 0)


class TestTrainersNotice:
    def test_due_thirty_calendar_days_before_and_sent_once(self, db) -> None:
        trainer = user_ensure(email="trainer@example.org", role="trainer")
        event = make_event(day=START_DAY, trainer_ids=[trainer.pk])
        due = datetime(2027, 2, 14, 14, 0, tzinfo=UTC)  # Sun 14 February 09:00 EST
        assert TRAINER_NOTICE.at(event) == due
        [notice] = Message.objects.filter(kind="event_approaching_trainer")
        assert notice.due_at == due
        tick(now=due - SECOND)
        notice.refresh_from_db()
        assert notice.status == "pending"
        tick(now=due)
        tick(now=due + timedelta(minutes=1))
        assert Message.objects.filter(kind="event_approaching_trainer", status="sent").count() == 1
