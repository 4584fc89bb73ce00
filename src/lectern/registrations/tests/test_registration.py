"""Registration rules through the services: seats, places, cutoff, moves, withdrawals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lectern.core.errors import DomainError
from lectern.core.permissions import Principal
from lectern.memberships.selectors import ledger_recount
from lectern.notifications.models import Message
from lectern.notifications.services import message_write
from lectern.registrations import services
from lectern.registrations.models import Registration, RegistrationStatus, Trainee
from lectern.registrations.selectors import registration_for_token
from tests.factories import membership

from .conftest import body, details, make_event

pytestmark = pytest.mark.django_db
ANON = Principal.anonymous()
NOW_PLUS_DAY = datetime(2027, 1, 11, 12, 0, tzinfo=UTC)


def register(event, member, n=0, now=None, **extra):
    return services.registration_create(
        actor=ANON,
        event_id=event.pk,
        code=member.registration_code,
        details=details(n, **extra),
        client="1.2.3.4",
        now=now,
    )


def refusal(call) -> str:
    with pytest.raises(DomainError) as refused:
        call()
    return refused.value.code


def seats(member) -> dict[str, int]:
    member.refresh_from_db()
    assert ledger_recount(member).as_dict() == {
        "granted": member.seats_granted,
        "reserved": member.seats_reserved,
        "used": member.seats_used,
        "rolled_out": member.seats_rolled_out,
        "available": member.seats_available,
    }
    return ledger_recount(member).as_dict()


def test_register_holds_a_seat_and_a_place_and_confirms_by_email(event, member) -> None:
    created = register(event, member, usage_frequency="monthly")
    registration = created.registration
    event.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert event.places_taken == 1
    assert seats(member)["reserved"] == 1
    assert created.advisories[0].startswith("The training suits people who use")
    assert registration_for_token(created.manage_token) == registration
    token = created.manage_token
    tampered = token[:-1] + ("1" if token[-1] == "0" else "0")
    assert registration_for_token(tampered) is None
    # This registration's id with a signature that is not its own.
    assert registration_for_token(f"lr_{registration.pk}_" + "0" * 40) is None
    email = Message.objects.get(kind="registration_confirmed")
    # The request queues it unwritten; the sender writes it when it sends it.
    assert (email.written, email.subject, email.attachments.count()) == (False, "", 0)
    email = message_write(email)
    assert created.manage_token in email.body_text
    assert email.attachments.get().filename == "instructor-training-2027-03-10.ics"
    assert "Please note: The training suits people" in email.body_text


def test_a_returning_trainee_is_not_duplicated_nor_rewritten(event, member) -> None:
    """A typed address proves nothing: the new details stay with the new registration."""
    first = register(event, member).registration
    services.registration_withdraw(
        actor=Principal.trainee(first.pk), registration=first, now=NOW_PLUS_DAY
    )
    again = register(
        event, member, name="Someone Else", affiliation="New Uni", now=NOW_PLUS_DAY
    ).registration
    assert again.trainee_id == first.trainee_id
    trainee = Trainee.objects.get()
    assert (trainee.name, trainee.affiliation, trainee.created_at) == (
        "Trainee 0",
        "Uni",
        first.trainee.created_at,
    )
    assert (again.submitted_name, again.submitted_affiliation) == ("Someone Else", "New Uni")
    services.trainee_details_apply(actor=Principal.personal(trainee.pk), registration=again)
    assert Trainee.objects.values_list("name", "affiliation").get() == ("Someone Else", "New Uni")


def test_the_trainee_written_by_a_registration_keeps_what_it_did_not_load(event, member) -> None:
    first = register(event, member).registration
    Trainee.objects.filter(pk=first.trainee_id).update(github="octocat")
    services.registration_withdraw(
        actor=Principal.trainee(first.pk), registration=first, now=NOW_PLUS_DAY
    )
    trainee = register(event, member, now=NOW_PLUS_DAY).registration.trainee
    assert trainee.github == "octocat"  # read from the database, not a blank default
    trainee.name = "Renamed"
    trainee.save()  # saves what was loaded, not blanks over the rest
    assert Trainee.objects.values_list("name", "github").get() == ("Renamed", "octocat")


# What a public registration sends besides BEGIN, COMMIT and savepoints, per database
# (docs/performance.md says what each is for): the code with its rate-limit counts, the place,
# the seat, the trainee with their standing, the registration, its ledger entry, its audit
# entry and its email, queued unwritten; PostgreSQL also counts the offers again once the
# event's row is held. The page first asks whether the caller may see the event.
STATEMENTS = {"sqlite": 8, "postgresql": 9}
FRAMING = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")


def statements_of(send) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        send()
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(FRAMING)]


def test_a_registration_costs_a_fixed_number_of_statements(event, member, anon_api) -> None:
    register(event, member, n=1)  # a returning trainee costs the same; see below
    sent = statements_of(
        lambda: anon_api.post("/registrations", body(event.pk, member.registration_code, 2))
    )
    assert len(sent) == STATEMENTS[connection.vendor], "\n".join(sent)
    assert Registration.objects.filter(trainee__email="trainee2@uni.example").exists()
    withdrawn = Registration.objects.get(trainee__email="trainee1@uni.example")
    services.registration_withdraw(
        actor=Principal.trainee(withdrawn.pk), registration=withdrawn, now=NOW_PLUS_DAY
    )
    with time_machine.travel(NOW_PLUS_DAY, tick=False):
        again = statements_of(
            lambda: anon_api.post("/registrations", body(event.pk, member.registration_code, 1))
        )
    assert len(again) == STATEMENTS[connection.vendor], "\n".join(again)


def test_the_registration_page_costs_one_statement_more(client, event, member) -> None:
    from .test_pages import form_data

    sent = statements_of(
        lambda: client.post(f"/events/{event.pk}/register/", form_data(event, member, n=3))
    )
    assert len(sent) == STATEMENTS[connection.vendor] + 1, "\n".join(sent)
    assert Registration.objects.filter(trainee__email="trainee3@uni.example").exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)
def test_postgresql_prepares_what_one_connection_runs_again(event) -> None:
    member = membership(tier="platinum", start_date=date(2026, 10, 1))
    for n in range(6):
        register(event, member, n=n)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("places_taken" in statement for statement in prepared), prepared


def test_code_is_case_insensitive(event, member) -> None:
    created = services.registration_create(
        actor=ANON,
        event_id=event.pk,
        code=f"  {member.registration_code.lower()} ",
        details=details(),
    )
    assert created.registration.membership == member


def test_refusals(event, member, system) -> None:
    assert (
        refusal(
            lambda: services.registration_create(
                actor=ANON, event_id=event.pk, code="NOSUCHCODE1", details=details()
            )
        )
        == "unknown_code"
    )
    register(event, member, 0)
    assert refusal(lambda: register(event, member, 0)) == "already_registered"
    full = make_event(capacity=1)
    register(full, member, 1)
    assert refusal(lambda: register(full, member, 2)) == "event_full"
    soon = make_event(day="2027-01-15")
    assert refusal(lambda: register(soon, member, 3)) == "registration_closed"
    gone = make_event()
    from lectern.registrations.services import event_cancel

    event_cancel(actor=system, event=gone, reason="x")
    assert refusal(lambda: register(gone, member, 4)) == "event_cancelled"
    late = make_event(day="2027-11-01")  # after the membership ends (2027-09-30)
    assert refusal(lambda: register(late, member, 5)) == "membership_inactive"
    for n in range(6, 9):
        register(event, member, n)
    # silver = 5 seats: 0, 1, 6, 7, 8 hold them all
    assert refusal(lambda: register(event, member, 9)) == "no_seats_left"
    assert seats(member)["available"] == 0


def test_inactive_membership(event) -> None:
    from datetime import date

    from tests.factories import membership

    old = membership(start_date=date(2025, 1, 1))
    assert refusal(lambda: register(event, old)) == "membership_inactive"


def test_too_many_withdrawals_then_staff_override(event, member, staff) -> None:
    for _ in range(4):
        created = register(event, member, 0)
        services.registration_withdraw(
            actor=Principal.trainee(created.registration.pk), registration=created.registration
        )
    assert refusal(lambda: register(event, member, 0)) == "too_many_withdrawals"
    created = services.registration_create(
        actor=staff,
        event_id=event.pk,
        code=member.registration_code,
        details=details(0),
        override_reason="agreed with the coordinator",
    )
    assert created.registration.override_reason == "agreed with the coordinator"


def test_cutoff_to_the_second_across_daylight_saving(member) -> None:
    # New York moves to EDT on 14 March 2027: the event is in EDT, a week before is in EST.
    event = make_event(day="2027-03-16")
    cutoff = datetime(2027, 3, 9, 14, 0, tzinfo=UTC)  # 09:00 EST, 7 calendar days before
    assert register(event, member, 0, now=cutoff - timedelta(seconds=1))
    assert refusal(lambda: register(event, member, 1, now=cutoff)) == "registration_closed"


def test_staff_override_lets_a_closed_cutoff_through(member, staff) -> None:
    soon = make_event(day="2027-01-15")
    with pytest.raises(DomainError) as refused:
        services.registration_create(
            actor=ANON,
            event_id=soon.pk,
            code=member.registration_code,
            details=details(),
            override_reason="late but agreed",
        )
    assert refused.value.code == "forbidden"
    created = services.registration_create(
        actor=staff,
        event_id=soon.pk,
        code=member.registration_code,
        details=details(),
        override_reason="late but agreed",
    )
    assert created.registration.status == RegistrationStatus.CONFIRMED


def test_move_keeps_the_seat(event, member) -> None:
    other = make_event(day="2027-04-10")
    registration = register(event, member).registration
    entries = member.ledger.count()
    moved = services.registration_move(
        actor=Principal.trainee(registration.pk), registration=registration, event_id=other.pk
    )
    event.refresh_from_db()
    other.refresh_from_db()
    assert (moved.event, event.places_taken, other.places_taken) == (other, 0, 1)
    assert member.ledger.count() == entries
    assert seats(member)["reserved"] == 1
    assert Message.objects.filter(kind="registration_moved").count() == 1
    closed = make_event(day="2027-01-16")
    assert refusal(
        lambda: services.registration_move(
            actor=Principal.trainee(registration.pk), registration=moved, event_id=closed.pk
        )
    ) == ("registration_closed")


def test_withdraw_before_the_cutoff_releases_the_seat(event, member) -> None:
    registration = register(event, member).registration
    done = services.registration_withdraw(
        actor=Principal.trainee(registration.pk), registration=registration
    )
    assert done.status == RegistrationStatus.WITHDRAWN
    assert seats(member) == {
        "granted": 5,
        "reserved": 0,
        "used": 0,
        "rolled_out": 0,
        "available": 5,
    }
    assert Message.objects.filter(kind="registration_withdrawn").count() == 1


def test_withdraw_after_the_cutoff_forfeits_the_seat(event, member) -> None:
    registration = register(event, member).registration
    after = datetime(2027, 3, 5, tzinfo=UTC)
    done = services.registration_withdraw(
        actor=Principal.trainee(registration.pk), registration=registration, now=after
    )
    assert done.status == RegistrationStatus.FORFEITED
    assert seats(member) == {
        "granted": 5,
        "reserved": 0,
        "used": 1,
        "rolled_out": 0,
        "available": 4,
    }
    assert Message.objects.filter(kind="seat_forfeited").count() == 1


def test_emergency_after_the_event_releases_a_forfeited_seat(event, member, staff) -> None:
    registration = register(event, member).registration
    services.registration_withdraw(
        actor=Principal.trainee(registration.pk),
        registration=registration,
        now=datetime(2027, 3, 5, tzinfo=UTC),
    )
    after_event = datetime(2027, 3, 15, tzinfo=UTC)
    done = services.registration_emergency(
        actor=staff, registration=registration, reason="hospital", now=after_event
    )
    assert done.status == RegistrationStatus.WITHDRAWN
    assert seats(member)["available"] == 5
    too_late = datetime(2027, 3, 18, 23, 0, tzinfo=UTC)
    second = register(make_event(day="2027-02-20"), member, 1).registration
    assert (
        refusal(
            lambda: services.registration_emergency(
                actor=staff, registration=second, reason="x", now=too_late
            )
        )
        == "emergency_window_closed"
    )


def test_emergency_moves_to_a_future_event_keeping_the_seat(event, member, staff) -> None:
    registration = register(event, member).registration
    services.registration_withdraw(
        actor=Principal.trainee(registration.pk),
        registration=registration,
        now=datetime(2027, 3, 5, tzinfo=UTC),
    )
    later = make_event(day="2027-05-10")
    done = services.registration_emergency(
        actor=staff,
        registration=registration,
        reason="flood",
        move_to_event_id=later.pk,
        now=datetime(2027, 3, 12, tzinfo=UTC),
    )
    later.refresh_from_db()
    assert (done.status, done.event, later.places_taken) == ("confirmed", later, 1)
    assert seats(member) == {
        "granted": 5,
        "reserved": 1,
        "used": 0,
        "rolled_out": 0,
        "available": 4,
    }


def test_only_the_manage_link_or_staff_act_on_a_registration(event, member) -> None:
    registration = register(event, member).registration
    other = register(event, member, 1).registration
    assert (
        refusal(
            lambda: services.registration_withdraw(
                actor=Principal.trainee(other.pk), registration=registration
            )
        )
        == "not_found"
    )
    assert (
        refusal(lambda: services.registration_withdraw(actor=ANON, registration=registration))
        == "not_found"
    )
