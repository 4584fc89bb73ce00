"""A coordinator registers their team: pending details, completion from the personal link,
the reminder before the cutoff and the release at it, refusals per person."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client

from lectern.accounts.services import user_ensure
from lectern.core.errors import DomainError, NotFound
from lectern.core.permissions import Principal
from lectern.events.deadlines import REGISTRATION_CUTOFF, team_details_reminder_at
from lectern.memberships import services as membership_services
from lectern.memberships.selectors import ledger_recount
from lectern.notifications.models import Message
from lectern.notifications.scheduler import tick
from lectern.registrations import services
from lectern.registrations.models import Registration, RegistrationStatus, Trainee
from lectern.registrations.rules import details_overdue
from lectern.registrations.team_views import people_parse
from tests.factories import membership

from .conftest import body, details, make_event

pytestmark = pytest.mark.django_db
SECOND = timedelta(seconds=1)
TEAM = [
    {"name": "Ada Lovelace", "email": "ada@uni.example"},
    {"name": "Grace Hopper", "email": "grace@uni.example"},
    {"name": "Alan Turing", "email": "alan@uni.example"},
]


@pytest.fixture
def coordinator(api_as: Any) -> Any:
    return api_as("coord@uni.example", "coordinator")


def seats(member: Any) -> dict[str, int]:
    member.refresh_from_db()
    recount = ledger_recount(member).as_dict()
    assert recount["reserved"] == member.seats_reserved
    return recount


def team(event: Any, member: Any, people: list[dict[str, str]], now: Any = None) -> Any:
    user = user_ensure(email="coord@uni.example", role="coordinator")
    return services.team_register(
        actor=Principal(user=user),
        membership_id=member.pk,
        event_id=event.pk,
        people=[services.Person(**p) for p in people],
        now=now,
    )


def test_a_coordinator_registers_three_in_one_step(coordinator, event, member) -> None:
    response = coordinator.post(
        f"/memberships/{member.pk}/team", {"event_id": event.pk, "people": TEAM}
    )
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["refused"] == []
    assert [r["status"] for r in answer["registrations"]] == ["pending_details"] * 3
    assert [r["trainee_name"] for r in answer["registrations"]] == [p["name"] for p in TEAM]
    event.refresh_from_db()
    assert event.places_taken == 3
    assert seats(member)["reserved"] == 3
    emails = Message.objects.filter(kind="team_registration").order_by("recipient")
    assert [m.recipient for m in emails] == sorted(p["email"] for p in TEAM)
    for message in emails:
        assert re.search(r"/me/lt_\S+/registrations/\d+/details/", message.body_text)
    trainee = Trainee.objects.get(email="ada@uni.example")
    assert (trainee.name, trainee.affiliation) == ("Ada Lovelace", member.organization.name)


def test_refusals_are_per_person_and_the_others_are_registered(coordinator, event, member):
    people = [
        *TEAM,
        {"name": "Ada again", "email": "ADA@uni.example"},  # the same address
        {"name": "No address", "email": "nobody@localhost"},
        {"name": "", "email": "nameless@uni.example"},
        {"name": "Four", "email": "four@uni.example"},
        {"name": "Five", "email": "five@uni.example"},
        {"name": "Six", "email": "six@uni.example"},  # silver: 5 seats
    ]
    answer = coordinator.post(
        f"/memberships/{member.pk}/team", {"event_id": event.pk, "people": people}
    ).json()
    assert len(answer["registrations"]) == 5
    assert [(r["email"], r["error"]["code"]) for r in answer["refused"]] == [
        ("ADA@uni.example", "already_registered"),
        ("nobody@localhost", "validation_error"),
        ("nameless@uni.example", "validation_error"),
        ("six@uni.example", "no_seats_left"),
    ]
    event.refresh_from_db()
    assert event.places_taken == 5
    assert seats(member) == {**seats(member), "reserved": 5, "available": 0}


def test_the_event_capacity_holds_per_person(coordinator, member) -> None:
    small = make_event(capacity=2)
    answer = coordinator.post(
        f"/memberships/{member.pk}/team", {"event_id": small.pk, "people": TEAM}
    ).json()
    assert [r["error"]["code"] for r in answer["refused"]] == ["event_full"]
    small.refresh_from_db()
    assert small.places_taken == 2
    assert seats(member)["reserved"] == 2


def test_a_closed_event_refuses_everyone_at_the_cutoff(event, member) -> None:
    cutoff = REGISTRATION_CUTOFF.at(event)
    last = team(event, member, TEAM[:1], now=cutoff - SECOND)
    assert len(last.registrations) == 1
    first_refused = team(event, member, TEAM[1:], now=cutoff)
    assert [e.code for _, e in first_refused.refused] == ["registration_closed"] * 2


def test_a_signed_in_coordinator_is_not_held_by_the_code_limits(
    anon_api, coordinator, event, member
) -> None:
    for n in range(11):
        answer = anon_api.post("/registrations", body(event.pk, "WRONG-CODE-X", n))
    assert answer.status_code == 429  # this address has guessed too often
    response = coordinator.post(
        f"/memberships/{member.pk}/team", {"event_id": event.pk, "people": TEAM}
    )
    assert (response.status_code, len(response.json()["registrations"])) == (201, 3)


def test_only_its_coordinators_and_staff(api_as, anon_api, staff_api, event, member) -> None:
    other = membership()
    membership_services.contact_add(
        actor=Principal.as_system(),
        membership=other,
        email="other@else.example",
        name="Other",
        role="coordinator",
    )
    path, payload = f"/memberships/{member.pk}/team", {"event_id": event.pk, "people": TEAM[:1]}
    assert anon_api.post(path, payload).status_code == 401
    assert api_as("other@else.example", "coordinator").post(path, payload).status_code == 404
    assert staff_api.post(path, payload).status_code == 201
    in_house = make_event(day="2027-03-20", membership=other, public=False)
    refused = staff_api.post(path, {"event_id": in_house.pk, "people": TEAM[1:2]})
    assert refused.status_code == 422
    assert "event_id" in refused.json()["error"]["fields"]
    assert staff_api.post(path, {"event_id": event.pk, "people": []}).status_code == 422


def test_the_trainee_completes_their_details_from_their_link(client: Client, event, member):
    team(event, member, TEAM[:1])
    message = Message.objects.get(kind="team_registration")
    url = re.search(r"https?://[^/\s]+(/me/lt_\S+/registrations/\d+/details/)", message.body_text)
    assert url
    page = client.get(url.group(1))
    assert page.status_code == 200
    assert "Technologies you are familiar with" in page.content.decode()
    assert 'value="Ada Lovelace"' in page.content.decode()
    incomplete = client.post(url.group(1), {"name": "Ada Lovelace", "affiliation": "Uni"})
    assert incomplete.status_code == 422
    assert Registration.objects.get().status == RegistrationStatus.PENDING_DETAILS
    done = client.post(
        url.group(1),
        {
            "name": "Ada King",
            "affiliation": "Uni",
            "country": "GB",
            "technologies": ["python", "git"],
            "usage_frequency": "daily",
            "carpentries_experience": ["helper"],
            "accept_code_of_conduct": "on",
            "accept_privacy": "on",
        },
    )
    assert done.status_code == 302
    registration = Registration.objects.get()
    assert registration.status == RegistrationStatus.CONFIRMED
    trainee = Trainee.objects.get()
    assert (trainee.name, trainee.technologies, str(trainee.country)) == (
        "Ada King",
        ["git", "python"],
        "GB",
    )
    assert Message.objects.filter(kind="registration_confirmed", recipient=trainee.email).exists()
    again = client.get(url.group(1))
    assert again.status_code == 302


def test_an_existing_trainee_keeps_their_stored_details(event, member) -> None:
    created = services.registration_create(
        actor=Principal.anonymous(),
        event_id=make_event(day="2027-02-01").pk,
        code=member.registration_code,
        details=details(1, name="Stored Name"),
        client="1.1.1.1",
    )
    services.registration_withdraw(actor=Principal.as_system(), registration=created.registration)
    result = team(event, member, [{"name": "Typed Name", "email": "trainee1@uni.example"}])
    registration = result.registrations[0]
    services.registration_details_complete(
        actor=Principal.personal(registration.trainee_id),
        registration=registration,
        details=details(1, name="Typed Name", technologies=["r"]),
    )
    trainee = Trainee.objects.get(pk=registration.trainee_id)
    assert (trainee.name, trainee.technologies) == ("Stored Name", ["python"])
    registration.refresh_from_db()
    assert registration.submitted_name == "Typed Name"


def test_completion_needs_the_trainees_own_link(event, member) -> None:
    registration = team(event, member, TEAM[:1]).registrations[0]
    for someone in (Principal.trainee(registration.pk), Principal.personal(registration.pk + 99)):
        with pytest.raises(NotFound):
            services.registration_details_complete(
                actor=someone, registration=registration, details=details(0)
            )


def test_completion_closes_at_the_cutoff(event, member) -> None:
    first, second = team(event, member, TEAM[:2]).registrations
    cutoff = REGISTRATION_CUTOFF.at(event)
    services.registration_details_complete(
        actor=Principal.personal(first.trainee_id),
        registration=first,
        details=details(0),
        now=cutoff - SECOND,
    )
    with pytest.raises(DomainError) as refused:
        services.registration_details_complete(
            actor=Principal.personal(second.trainee_id),
            registration=second,
            details=details(0),
            now=cutoff,
        )
    assert refused.value.code == "registration_closed"


def test_reminded_three_days_before_the_cutoff_once(event, member) -> None:
    team(event, member, TEAM[:2])
    reminder = team_details_reminder_at(event)
    assert reminder == REGISTRATION_CUTOFF.at(event) - timedelta(days=3)  # no DST change here
    tick(now=reminder - SECOND, send=False)
    assert not Message.objects.filter(kind="team_details_reminder").exists()
    tick(now=reminder, send=False)
    tick(now=reminder + timedelta(hours=1), send=False)
    assert Message.objects.filter(kind="team_details_reminder").count() == 2


def test_a_completed_registration_is_not_reminded_nor_released(event, member) -> None:
    done, pending = team(event, member, TEAM[:2]).registrations
    services.registration_details_complete(
        actor=Principal.personal(done.trainee_id), registration=done, details=details(0)
    )
    tick(now=team_details_reminder_at(event), send=False)
    tick(now=REGISTRATION_CUTOFF.at(event), send=False)
    reminded = Message.objects.filter(kind="team_details_reminder")
    assert [m.recipient for m in reminded] == [pending.trainee.email]
    done.refresh_from_db()
    assert done.status == RegistrationStatus.CONFIRMED


def test_released_at_the_cutoff_not_as_a_withdrawal(event, member) -> None:
    registration = team(event, member, TEAM[:1]).registrations[0]
    cutoff = REGISTRATION_CUTOFF.at(event)
    tick(now=cutoff - SECOND, send=False)
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING_DETAILS
    tick(now=cutoff, send=False)
    registration.refresh_from_db()
    event.refresh_from_db()
    assert registration.status == RegistrationStatus.RELEASED
    assert event.places_taken == 0
    assert seats(member)["reserved"] == 0
    assert seats(member)["used"] == 0
    assert Message.objects.filter(kind="team_registration_released").count() == 1
    assert not Message.objects.filter(kind="preparation").exists()
    # Not a withdrawal: four releases later the trainee may still register.
    trainee = registration.trainee
    for day in ("2027-04-05", "2027-04-12", "2027-04-19"):
        later = make_event(day=day)
        again = team(later, member, TEAM[:1], now=cutoff).registrations[0]
        tick(now=REGISTRATION_CUTOFF.at(later), send=False)
        again.refresh_from_db()
        assert again.status == RegistrationStatus.RELEASED
    created = services.registration_create(
        actor=Principal.anonymous(),
        event_id=make_event(day="2027-05-10").pk,
        code=member.registration_code,
        details=details(0, email=trainee.email),
        client="1.1.1.1",
        now=datetime(2027, 4, 20, tzinfo=UTC),
    )
    assert created.registration.status == RegistrationStatus.CONFIRMED


def test_the_scheduler_finds_overdue_details_through_their_index(event, member) -> None:
    """Each minute's release looks among every registration there is: through the partial
    index of those waiting for details, never a scan of them all."""
    waiting = team(event, member, TEAM[:1]).registrations[0]
    team(make_event(day="2027-04-05"), member, TEAM[1:2])  # its cutoff is later
    cutoff = REGISTRATION_CUTOFF.at(event)
    assert list(details_overdue(cutoff - SECOND)) == []
    assert list(details_overdue(cutoff)) == [waiting]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # a table this small would be read whole
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = details_overdue(cutoff).explain()
    assert "registration_pending_details" in plan, plan


def test_coordinators_withdraw_and_move_a_pending_registration(coordinator, event, member):
    registration = team(event, member, TEAM[:1]).registrations[0]
    other = make_event(day="2027-04-01")
    moved = coordinator.post(f"/registrations/{registration.pk}/move", {"event_id": other.pk})
    assert (moved.status_code, moved.json()["status"]) == (200, "pending_details")
    withdrawn = coordinator.post(f"/registrations/{registration.pk}/withdraw", {})
    # never completed, it was never the person's: released, not their withdrawal
    assert withdrawn.json()["status"] == "released"
    assert seats(member)["reserved"] == 0


def test_pending_registrations_ended_by_a_coordinator_never_count_against_the_person(
    coordinator, event, member
) -> None:
    """Team-registering someone and withdrawing them four times used to refuse their own
    registration for a year (`too_many_withdrawals`)."""
    for _ in range(4):
        registration = team(event, member, TEAM[:1]).registrations[0]
        coordinator.post(f"/registrations/{registration.pk}/withdraw", {})
    other = membership(tier="silver", start_date=datetime(2026, 10, 1).date())
    created = services.registration_create(
        actor=Principal.anonymous(),
        event_id=event.pk,
        code=other.registration_code,
        details=details(0, name="Ada Lovelace", email="ada@uni.example"),
    )
    assert created.registration.status == RegistrationStatus.CONFIRMED


def test_a_pending_registration_ended_after_the_cutoff_is_released_not_forfeited(
    event, member
) -> None:
    registration = team(event, member, TEAM[:1]).registrations[0]
    after = REGISTRATION_CUTOFF.at(event) + SECOND  # before the scheduler released it
    user = user_ensure(email="coord@uni.example", role="coordinator")
    ended = services.registration_withdraw(
        actor=Principal(user=user), registration=registration, now=after
    )
    assert ended.status == RegistrationStatus.RELEASED
    assert seats(member)["used"] == 0


def test_coordinators_withdraw_until_the_cutoff_and_then_only_the_trainee_can(
    event, member
) -> None:
    user = user_ensure(email="coord@uni.example", role="coordinator")
    cutoff = REGISTRATION_CUTOFF.at(event)
    first, second = (
        services.registration_create(
            actor=Principal.anonymous(),
            event_id=event.pk,
            code=member.registration_code,
            details=details(n),
        ).registration
        for n in (1, 2)
    )
    last = services.registration_withdraw(
        actor=Principal(user=user), registration=first, now=cutoff - SECOND
    )
    assert last.status == RegistrationStatus.WITHDRAWN
    with pytest.raises(DomainError) as refused:
        services.registration_withdraw(actor=Principal(user=user), registration=second, now=cutoff)
    assert refused.value.code == "registration_closed"
    assert "only the trainee" in refused.value.message
    own = services.registration_withdraw(
        actor=Principal.trainee(second.pk), registration=second, now=cutoff
    )
    assert own.status == RegistrationStatus.FORFEITED


def test_the_membership_page_links_each_held_registration_to_move_or_withdraw(
    client: Client, event, member
) -> None:
    registration = team(event, member, TEAM[:1]).registrations[0]
    client.force_login(user_ensure(email="coord@uni.example", role="coordinator"))
    page = client.get(f"/memberships/{member.pk}/").content.decode()
    url = f"/memberships/{member.pk}/registrations/{registration.pk}/"
    assert url in page
    own = client.get(url).content.decode()
    assert "Registration of Ada Lovelace" in own
    later = make_event(day="2027-04-01", title="April training")
    confirm = client.post(f"{url}move/", {"event_id": later.pk}).content.decode()
    assert "Ada Lovelace is registered for Instructor Training" in confirm
    moved = client.post(f"{url}move/", {"event_id": later.pk, "confirm": "yes"}, follow=True)
    assert "we have emailed Ada Lovelace the new schedule" in moved.content.decode()
    registration.refresh_from_db()
    assert registration.event_id == later.pk
    asked = client.get(f"{url}withdraw/").content.decode()
    assert "Withdraw Ada Lovelace from April training?" in asked
    done = client.post(f"{url}withdraw/", {}, follow=True)
    assert done.redirect_chain[-1][0] == f"/memberships/{member.pk}/"
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.RELEASED


def test_another_organisations_coordinator_gets_404_on_these_pages(
    client: Client, event, member, system
) -> None:
    registration = team(event, member, TEAM[:1]).registrations[0]
    theirs = membership(tier="silver", start_date=datetime(2026, 10, 1).date())
    membership_services.contact_add(
        actor=system, membership=theirs, email="other@else.example", name="O", role="coordinator"
    )
    client.force_login(user_ensure(email="other@else.example", role="coordinator"))
    for url in (
        f"/memberships/{member.pk}/registrations/{registration.pk}/",
        f"/memberships/{theirs.pk}/registrations/{registration.pk}/",
        f"/memberships/{theirs.pk}/registrations/{registration.pk}/withdraw/",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            f"/memberships/{theirs.pk}/registrations/{registration.pk}/withdraw/"
        ).status_code
        == 404
    )
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.PENDING_DETAILS


def test_people_are_read_from_lines_and_csv() -> None:
    lines = people_parse(
        "name,email\nAda Lovelace, ada@x.example\nGrace Hopper <grace@x.example>\n"
        "bob@x.example, Bob\n\nno address here\n"
        '"Turing, Alan",alan@x.example\n'
    )
    assert [(x.number, x.person.name if x.person else x.problem) for x in lines] == [
        (2, "Ada Lovelace"),
        (3, "Grace Hopper"),
        (4, "Bob"),
        (6, "No email address on this line."),
        (7, "Turing, Alan"),
    ]


def test_the_team_page_registers_typed_and_uploaded_people(client: Client, event, member):
    client.force_login(user_ensure(email="coord@uni.example", role="coordinator"))
    page = client.get(f"/memberships/{member.pk}/").content.decode()
    assert f"/memberships/{member.pk}/team/" in page
    form = client.get(f"/memberships/{member.pk}/team/").content.decode()
    assert event.title in form
    upload = SimpleUploadedFile(
        "team.csv", b"name,email\nAlan Turing,alan@uni.example\n", content_type="text/csv"
    )
    response = client.post(
        f"/memberships/{member.pk}/team/",
        {
            "event_id": event.pk,
            "people": "Ada Lovelace, ada@uni.example\nGrace Hopper <grace@uni.example>\nbroken",
            "csv": upload,
        },
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "3 registered" in text
    assert "Line 3: No email address on this line." in text
    assert Registration.objects.filter(status="pending_details").count() == 3
    nothing = client.post(f"/memberships/{member.pk}/team/", {"event_id": event.pk})
    assert nothing.status_code == 422
    client.force_login(user_ensure(email="stranger@else.example", role="coordinator"))
    assert client.get(f"/memberships/{member.pk}/team/").status_code == 404


def test_a_name_past_its_column_or_with_a_control_character_is_refused_per_person(
    coordinator, event, member
) -> None:
    """The page takes names from free text; a name longer than the trainee's column was a
    500 on PostgreSQL. The last length that passes, the first that fails."""
    people = [
        {"name": "N" * 200, "email": "long@uni.example"},
        {"name": "N" * 201, "email": "longer@uni.example"},
    ]
    answer = team(event, member, people)
    assert [r.trainee.email for r in answer.registrations] == ["long@uni.example"]
    assert [(p.email, e.code, e.fields) for p, e in answer.refused] == [
        (
            "longer@uni.example",
            "validation_error",
            {"name": ["At most 200 characters (201 given)."]},
        )
    ]
    answer = team(event, member, [{"name": "Ada\u2028Lovelace", "email": "ada@uni.example"}])
    assert [e.code for _, e in answer.refused] == ["validation_error"]


def test_the_team_page_reads_a_file_apart_and_counts_who_is_not_registered(
    client: Client, event, member
) -> None:
    """A file's header is its own first line, a refusal names the file's line, the count of
    people not registered is right, and a cell past the csv module's limit is a refusal."""
    client.force_login(user_ensure(email="coord@uni.example", role="coordinator"))
    upload = SimpleUploadedFile(
        "team.csv",
        b"name,email\nAlan Turing,alan@uni.example\nno address\n"
        + b"N" * 201
        + b",n@uni.example\n",
        content_type="text/csv",
    )
    response = client.post(
        f"/memberships/{member.pk}/team/", {"event_id": event.pk, "people": "", "csv": upload}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "1 registered" in text
    assert "2 not registered" in text
    assert "CSV file, line 3: No email address on this line." in text
    assert "line 1:" not in text
    assert "Line 1:" not in text
    assert "At most 200 characters (201 given)." in text
    huge = client.post(
        f"/memberships/{member.pk}/team/",
        {"event_id": event.pk, "people": "Ada, ada@uni.example\n" + "A" * 140_000},
    )
    assert huge.status_code == 200
    assert "Line 2: This line is not readable: a cell is too long." in huge.content.decode()
