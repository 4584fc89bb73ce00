"""Low-enrolment cancellation, the preparation email, event cancellation and the waiting list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from lectern.core.errors import DomainError
from lectern.core.permissions import Principal
from lectern.events.services import LocalTimes, event_update
from lectern.memberships.selectors import ledger_recount
from lectern.notifications.models import Message
from lectern.notifications.scheduler import tick
from lectern.registrations import services
from lectern.registrations.models import RegistrationStatus, WaitlistStatus
from lectern.registrations.services import event_cancel, waitlist
from lectern.registrations.services.places import places_held_by_offers

from .conftest import NOW, details, make_event

pytestmark = pytest.mark.django_db
ANON = Principal.anonymous()


def register(event, member, n=0, now=None):
    return services.registration_create(
        actor=ANON, event_id=event.pk, code=member.registration_code, details=details(n), now=now
    )


def test_low_enrolment_cancels_at_t_minus_14_and_gives_seats_back(member, system) -> None:
    small = make_event(day="2027-03-10", min_enrolment=3)
    regardless = make_event(day="2027-03-10", min_enrolment=3, run_regardless=True)
    enough = make_event(day="2027-03-10", min_enrolment=1)
    register(small, member, 0)
    register(enough, member, 1)
    start = small.first_start
    tick(now=start - timedelta(days=14, seconds=1))
    small.refresh_from_db()
    assert small.status == "scheduled"
    tick(now=start - timedelta(days=14))
    for event, status in [(small, "cancelled"), (regardless, "scheduled"), (enough, "scheduled")]:
        event.refresh_from_db()
        assert event.status == status
    assert "Fewer than 3 trainees" in small.cancel_reason
    member.refresh_from_db()
    assert ledger_recount(member).as_dict()["reserved"] == 1
    assert small.registrations.get().status == RegistrationStatus.CANCELLED
    told = Message.objects.get(kind="event_cancelled")
    assert "seat has been released" in told.body_text
    assert "/manage/lr_" in told.body_text
    assert (
        Message.objects.filter(
            kind="event_cancelled_coordinator", recipient="coord@uni.example"
        ).count()
        == 1
    )


def test_a_cancelled_trainee_rebooks_with_one_move(member, system) -> None:
    event, later = make_event(), make_event(day="2027-04-20")
    registration = register(event, member).registration
    event_cancel(actor=system, event=event, reason="trainer ill")
    alternatives = Message.objects.get(kind="event_cancelled").body_text
    assert f"/events/{later.pk}/" in alternatives
    moved = services.registration_move(
        actor=Principal.trainee(registration.pk), registration=registration, event_id=later.pk
    )
    assert moved.status == RegistrationStatus.CONFIRMED
    member.refresh_from_db()
    assert ledger_recount(member).as_dict()["reserved"] == 1


def test_preparation_email_goes_once_at_the_cutoff_with_the_link(event, member) -> None:
    register(event, member)
    cutoff = event.first_start - timedelta(days=7)
    tick(now=cutoff - timedelta(minutes=1))
    assert not Message.objects.filter(kind="preparation").exists()
    tick(now=cutoff)
    tick(now=cutoff + timedelta(minutes=1))
    [message] = Message.objects.filter(kind="preparation")
    assert message.status == "sent"
    assert "https://meet.example/room-42" in message.body_text
    assert "Install Zoom." in message.body_text
    assert message.attachments.count() == 1
    sent = [m for m in mail.outbox if "7 days to go" in m.subject]
    assert len(sent) == 1


def test_a_rescheduled_event_moves_its_preparation_email(event, member, system) -> None:
    register(event, member)
    event_update(
        actor=system,
        event=event,
        changes={"sessions": [LocalTimes("2027-03-24T09:00", "2027-03-24T17:00")]},
    )
    event.refresh_from_db()
    tick(now=datetime(2027, 3, 3, 14, 0, tzinfo=UTC))  # the old cutoff
    assert not Message.objects.filter(kind="preparation").exists()
    tick(now=event.first_start - timedelta(days=7))
    assert Message.objects.filter(kind="preparation").count() == 1


class TestWaitlist:
    def setup_full(self, member):
        event = make_event(capacity=1)
        first = register(event, member, 0).registration
        with pytest.raises(DomainError) as refused:
            register(event, member, 1)
        assert refused.value.code == "event_full"
        entry = waitlist.waitlist_join(
            actor=ANON, event_id=event.pk, code=member.registration_code, details=details(1)
        )
        second = waitlist.waitlist_join(
            actor=ANON, event_id=event.pk, code=member.registration_code, details=details(2)
        )
        assert [waitlist.waitlist_position(e) for e in (entry, second)] == [1, 2]
        return event, first, entry, second

    def offer_token(self, entry) -> str:
        message = Message.objects.get(kind="waitlist_offer", object_id=entry.pk)
        return message.body_text.split("/waitlist/")[1].split("/")[0]

    def test_a_freed_place_is_offered_and_accepting_registers(self, member) -> None:
        event, first, entry, _ = self.setup_full(member)
        services.registration_withdraw(actor=Principal.trainee(first.pk), registration=first)
        entry.refresh_from_db()
        assert entry.status == WaitlistStatus.OFFERED
        assert entry.offer_expires_at == entry.offered_at + timedelta(hours=48)
        # The offered place is held: a direct registration cannot take it.
        with pytest.raises(DomainError) as refused:
            register(event, member, 3)
        assert refused.value.code == "event_full"
        created = waitlist.waitlist_accept(raw=self.offer_token(entry))
        assert created.registration.trainee.email == "trainee1@uni.example"
        entry.refresh_from_db()
        assert (entry.status, entry.registration) == (WaitlistStatus.ACCEPTED, created.registration)

    def test_an_expired_offer_passes_to_the_next(self, member) -> None:
        _event, first, entry, second = self.setup_full(member)
        services.registration_withdraw(actor=Principal.trainee(first.pk), registration=first)
        token = self.offer_token(entry)
        entry.refresh_from_db()
        tick(now=entry.offer_expires_at)
        entry.refresh_from_db()
        second.refresh_from_db()
        assert (entry.status, second.status) == (WaitlistStatus.EXPIRED, WaitlistStatus.OFFERED)
        with pytest.raises(DomainError) as refused:
            waitlist.waitlist_accept(raw=token)
        assert refused.value.code == "offer_expired"

    def test_an_offer_holds_its_place_until_its_last_second_only(self, member) -> None:
        """One definition of the places held by offers serves registering, joining the
        list and offering the next place, whether or not the expiry rule has run yet."""
        event, first, entry, second = self.setup_full(member)
        services.registration_withdraw(actor=Principal.trainee(first.pk), registration=first)
        entry.refresh_from_db()
        expires = entry.offer_expires_at
        event.refresh_from_db()
        assert places_held_by_offers(event, expires - timedelta(seconds=1)) == 1
        assert places_held_by_offers(event, expires) == 0
        with pytest.raises(DomainError) as refused:
            register(event, member, 3, now=expires - timedelta(seconds=1))
        assert refused.value.code == "event_full"
        # At expiry, before any tick: the place is free again, so the next one in line is
        # offered it (not refused as if the stale offer still held it).
        assert waitlist.waitlist_offer_next(event=event, now=expires) == 1
        second.refresh_from_db()
        assert second.status == WaitlistStatus.OFFERED

    def test_offers_last_at_most_until_the_cutoff(self, member) -> None:
        event, first, entry, _ = self.setup_full(member)
        cutoff = event.first_start - timedelta(days=7)
        services.registration_withdraw(
            actor=Principal.trainee(first.pk), registration=first, now=cutoff - timedelta(hours=5)
        )
        entry.refresh_from_db()
        assert entry.offer_expires_at == cutoff

    def test_joining_needs_a_full_event_and_a_valid_code(self, event, member) -> None:
        with pytest.raises(DomainError) as refused:
            waitlist.waitlist_join(
                actor=ANON, event_id=event.pk, code=member.registration_code, details=details()
            )
        assert refused.value.code == "event_not_full"
        with pytest.raises(DomainError) as refused:
            waitlist.waitlist_join(
                actor=ANON, event_id=event.pk, code="WRONGCODE99", details=details()
            )
        assert refused.value.code == "unknown_code"

    def test_cancelling_the_event_ends_the_list(self, member, system) -> None:
        event, _, entry, second = self.setup_full(member)
        event_cancel(actor=system, event=event, reason="x")
        for e in (entry, second):
            e.refresh_from_db()
            assert e.status == WaitlistStatus.ENDED
        assert Message.objects.filter(kind="waitlist_ended").count() == 2


def test_social_event_suggested_once_a_quarter_when_trainees_spread(member) -> None:
    one, two = make_event(), make_event(day="2027-04-01")
    register(one, member, 0)
    tick()
    assert not Message.objects.filter(kind__startswith="social_event").exists()
    register(two, member, 1)
    tick()  # checked every six hours: not yet
    assert not Message.objects.filter(kind__startswith="social_event").exists()
    tick(now=NOW + timedelta(hours=6))
    tick(now=NOW + timedelta(hours=12))
    assert list(
        Message.objects.filter(kind__startswith="social_event").values_list(
            "kind", "key", "recipient"
        )
    ) == [("social_event_suggestion", "2027q1", "coord@uni.example")]
