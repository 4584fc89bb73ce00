"""Changes people planned around: told once per change to trainees, the waiting list and
trainers, with an invitation whose SEQUENCE rose; reasons for late or out-of-membership
changes; a free withdrawal after a change of sessions; cancellations of calendar entries."""

from __future__ import annotations

from datetime import date, timedelta

import icalendar
import pytest

from lectern.accounts.services import user_ensure
from lectern.core.errors import DomainError
from lectern.core.permissions import Principal
from lectern.events import services as event_services
from lectern.events.ical import invitation_uid
from lectern.events.services import LocalTimes
from lectern.memberships.models import SeatEntry
from lectern.notifications.models import Message
from lectern.notifications.services import message_write
from lectern.registrations import services
from lectern.registrations.models import Registration
from lectern.registrations.services.waitlist import waitlist_join
from lectern.registrations.tests.conftest import NOW, details, make_event

pytestmark = pytest.mark.django_db

ANON = Principal.anonymous()
STAFF = Principal.as_system()


def register(event, member, n=0, **extra):
    return services.registration_create(
        actor=ANON,
        event_id=event.pk,
        code=member.registration_code,
        details=details(n, **extra),
        client="1.2.3.4",
        now=NOW,
    ).registration


def move_to(event, day: str, *, reason: str = "", now=NOW, start="09:00", end="17:00"):
    return event_services.event_update(
        actor=STAFF,
        event=event,
        changes={"sessions": [LocalTimes(f"{day}T{start}", f"{day}T{end}")]},
        reason=reason,
        now=now,
    )


def calendar_of(message: Message, suffix: str = ".ics", method: str = "REQUEST"):
    [attachment] = [
        a
        for a in message.attachments.all()
        if a.filename.endswith(suffix) and f"method={method}" in a.content_type
    ]
    return attachment, icalendar.Calendar.from_ical(bytes(attachment.content))


@pytest.fixture
def full_world(member):
    """An event with two trainers, one confirmed trainee (capacity 1) and one waiting."""
    trainers = [
        user_ensure(email=f"trainer{n}@example.org", role="trainer", name=f"T {n}") for n in (1, 2)
    ]
    event = make_event(capacity=1, trainer_ids=[t.pk for t in trainers])
    registration = register(event, member, 1, timezone="Asia/Tokyo")
    waitlist_join(
        actor=ANON,
        event_id=event.pk,
        code=member.registration_code,
        details=details(2),
        client="1.2.3.4",
        now=NOW,
    )
    return event, registration


def changed(event) -> dict[str, list[Message]]:
    by_recipient: dict[str, list[Message]] = {}
    for m in Message.objects.filter(kind="event_changed", object_id=event.pk).order_by("pk"):
        by_recipient.setdefault(m.recipient, []).append(m)
    return by_recipient


RECIPIENTS = {
    "trainee1@uni.example",
    "trainee2@uni.example",
    "trainer1@example.org",
    "trainer2@example.org",
}


def test_a_reschedule_reaches_everyone_once_with_a_newer_invitation(full_world) -> None:
    event, _ = full_world
    first = message_write(Message.objects.get(kind="registration_confirmed"))  # sent before
    _, confirmation = calendar_of(first)
    assert confirmation["METHOD"] == "REQUEST"
    [vevent] = confirmation.walk("VEVENT")
    assert vevent["SEQUENCE"] == 0
    assert (
        str(vevent["UID"])
        == invitation_uid(event.pk, 1)
        == (f"invitation-event-{event.pk}-session-1@127.0.0.1")
    )

    move_to(event, "2027-03-17")
    told = changed(event)
    assert set(told) == RECIPIENTS
    assert all(len(messages) == 1 for messages in told.values())
    trainee = told["trainee1@uni.example"][0]
    assert trainee.key == "seq1"
    assert trainee.subject == "New dates: Instructor Training, from Wed 17 Mar 2027"
    assert "Wed 17 Mar 2027, 09:00\u201317:00 EDT (UTC\u221204:00)" in trainee.body_text
    assert "In your time zone (Asia/Tokyo)" in trainee.body_text
    assert "Wed 17 Mar 2027, 22:00 \u2013 Thu 18 Mar, 06:00 JST" in trainee.body_text
    assert "Wed 10 Mar 2027, 09:00 EST (UTC\u221205:00)" in trainee.body_text  # it was
    attachment, update = calendar_of(trainee)
    assert attachment.filename == "instructor-training-2027-03-17.ics"
    [vevent] = update.walk("VEVENT")
    assert (vevent["SEQUENCE"], str(vevent["UID"])) == (1, invitation_uid(event.pk, 1))
    assert update["METHOD"] == "REQUEST"
    assert calendar_of(told["trainer1@example.org"][0])[1].walk("VEVENT")[0]["SEQUENCE"] == 1
    waiting = told["trainee2@uni.example"][0]
    assert waiting.attachments.count() == 0  # no entry in their calendar to update
    assert "Your place on the waiting list is kept." in waiting.body_text
    assert "/me/lt_" in waiting.body_text

    # The same sessions again change nothing; a title change is a second change.
    move_to(event, "2027-03-17")
    assert all(len(messages) == 1 for messages in changed(event).values())
    event_services.event_update(
        actor=STAFF, event=event, changes={"title": "Training for O'Brien & Co"}, now=NOW
    )
    told = changed(event)
    assert set(told) == RECIPIENTS
    assert all(len(messages) == 2 for messages in told.values())
    renamed = told["trainee1@uni.example"][1]
    assert renamed.key == "seq2"
    assert renamed.subject == ("Renamed: Instructor Training is now Training for O'Brien & Co")
    assert calendar_of(renamed)[1].walk("VEVENT")[0]["SEQUENCE"] == 2


def test_a_link_change_is_told_only_once_the_preparation_email_has_gone(full_world) -> None:
    event, _ = full_world
    event_services.event_update(
        actor=STAFF, event=event, changes={"meeting_url": "https://meet.example/a"}, now=NOW
    )
    assert changed(event) == {}
    after_cutoff = event.registration_closes_at
    event_services.event_update(
        actor=STAFF,
        event=event,
        changes={"meeting_url": "https://meet.example/b"},
        now=after_cutoff,
    )
    told = changed(event)
    assert set(told) == RECIPIENTS
    trainee = told["trainee1@uni.example"][0]
    assert "https://meet.example/b" in trainee.body_text
    waiting = told["trainee2@uni.example"][0]
    assert "meet.example" not in waiting.body_text  # the link is the confirmed trainees'
    assert calendar_of(trainee)[1].walk("VEVENT")[0]["SEQUENCE"] == 1


def test_a_change_needs_a_reason_from_the_moment_its_new_cutoff_has_passed(member) -> None:
    event = make_event()
    register(event, member)
    # NOW is 07:00 in New York: a first session at 07:01 in seven days closes at 07:01 today.
    move_to(event, "2027-01-17", start="07:01")
    with pytest.raises(DomainError) as refused:
        move_to(event, "2027-01-17", start="07:00")
    assert refused.value.code == "reason_required"
    assert "cutoff" in refused.value.message
    event.refresh_from_db()
    assert event.first_start.hour == 12
    assert event.first_start.minute == 1
    move_to(event, "2027-01-17", start="07:00", reason="The trainer is ill.")
    assert Message.objects.filter(kind="event_changed").count() == 2
    assert (
        "Why: The trainer is ill." in Message.objects.filter(kind="event_changed").first().body_text
    )


def test_a_change_past_a_registered_trainees_membership_end_needs_a_reason(member) -> None:
    assert member.end_date == date(2027, 9, 30)
    event = make_event()
    register(event, member)
    move_to(event, "2027-09-30")
    with pytest.raises(DomainError) as refused:
        move_to(event, "2027-10-01")
    assert refused.value.code == "reason_required"
    assert "membership" in refused.value.message
    move_to(event, "2027-10-01", reason="Agreed with the coordinator.")


def test_the_api_asks_for_the_reason(staff_api, member) -> None:
    event = make_event()
    register(event, member)
    body = {"sessions": [{"start": "2027-10-01T09:00", "end": "2027-10-01T17:00"}]}
    response = staff_api.patch(f"/events/{event.pk}", body)
    assert response.status_code == 409, response.content
    assert response.json()["error"]["code"] == "reason_required"
    response = staff_api.patch(f"/events/{event.pk}", {**body, "reason": "Agreed."})
    assert response.status_code == 200, response.content
    assert Message.objects.filter(kind="event_changed").count() == 1


def test_after_a_change_of_sessions_trainees_withdraw_without_forfeiting_for_48_hours(
    member,
) -> None:
    event = make_event()
    early, late = register(event, member, 1), register(event, member, 2)
    changed_at = event.registration_closes_at + timedelta(hours=1)  # past the cutoff
    move_to(event, "2027-03-11", reason="Clash.", now=changed_at)
    last_free = changed_at + timedelta(hours=48) - timedelta(seconds=1)
    kept = services.registration_withdraw(actor=STAFF, registration=early, now=last_free)
    assert kept.status == "withdrawn"
    lost = services.registration_withdraw(
        actor=STAFF, registration=late, now=changed_at + timedelta(hours=48)
    )
    assert lost.status == "forfeited"
    kinds = dict(
        SeatEntry.objects.filter(registration_id__in=[early.pk, late.pk])
        .values_list("registration_id", "kind")
        .order_by("pk")
    )
    assert kinds == {early.pk: "released", late.pk: "used"}


def test_after_a_change_of_sessions_trainees_may_move_past_the_cutoff(member) -> None:
    event = make_event()
    other = make_event(day="2027-04-20")
    registration = register(event, member)
    changed_at = event.registration_closes_at + timedelta(hours=1)
    move_to(event, "2027-03-11", reason="Clash.", now=changed_at)
    moved = services.registration_move(
        actor=STAFF, registration=registration, event_id=other.pk, now=changed_at
    )
    assert moved.event_id == other.pk
    assert moved.free_change_until is None


def test_a_title_change_gives_no_free_withdrawal(member) -> None:
    event = make_event()
    registration = register(event, member)
    after = event.registration_closes_at + timedelta(hours=1)
    event_services.event_update(actor=STAFF, event=event, changes={"title": "New"}, now=after)
    assert (
        services.registration_withdraw(actor=STAFF, registration=registration, now=after).status
        == "forfeited"
    )


def test_moves_withdrawals_and_cancellations_cancel_the_calendar_entry(member) -> None:
    event = make_event()
    other = make_event(day="2027-04-20", title="Other training")
    a, b, c = (register(event, member, n) for n in (1, 2, 3))
    services.registration_move(actor=STAFF, registration=a, event_id=other.pk, now=NOW)
    moved = Message.objects.get(kind="registration_moved")
    _, cancel = calendar_of(moved, method="CANCEL")
    assert cancel["METHOD"] == "CANCEL"
    [vevent] = cancel.walk("VEVENT")
    assert str(vevent["UID"]) == invitation_uid(event.pk, 1)
    assert vevent["STATUS"] == "CANCELLED"
    _, invite = calendar_of(moved)
    assert str(invite.walk("VEVENT")[0]["UID"]) == invitation_uid(other.pk, 1)

    services.registration_withdraw(actor=STAFF, registration=b, now=NOW)
    _, cancel = calendar_of(Message.objects.get(kind="registration_withdrawn"), method="CANCEL")
    assert str(cancel.walk("VEVENT")[0]["UID"]) == invitation_uid(event.pk, 1)

    services.event_cancel(actor=STAFF, event=event, reason="Too few.", now=NOW)
    attachment, cancel = calendar_of(Message.objects.get(kind="event_cancelled"), method="CANCEL")
    assert attachment.filename == "instructor-training-2027-03-10-cancelled.ics"
    [vevent] = cancel.walk("VEVENT")
    assert vevent["SEQUENCE"] == 1  # the cancellation is a change
    assert Registration.objects.get(pk=c.pk).status == "cancelled"


def test_fewer_sessions_cancel_the_ones_that_no_longer_exist(member) -> None:
    event = event_services.event_create(
        actor=STAFF,
        title="Half days",
        timezone="Europe/Berlin",
        sessions=[LocalTimes(f"2027-03-{d}T13:00", f"2027-03-{d}T17:00") for d in (10, 11, 12, 13)],
        capacity=5,
        min_enrolment=1,
        now=NOW,
    )
    register(event, member)
    event_services.event_update(
        actor=STAFF,
        event=event,
        changes={
            "sessions": [
                LocalTimes("2027-03-10T09:00", "2027-03-10T17:00"),
                LocalTimes("2027-03-11T09:00", "2027-03-11T17:00"),
            ]
        },
        now=NOW,
    )
    message = Message.objects.get(kind="event_changed")
    _, update = calendar_of(message)
    assert [str(v["UID"]) for v in update.walk("VEVENT")] == [
        invitation_uid(event.pk, n) for n in (1, 2)
    ]
    _, cancel = calendar_of(message, method="CANCEL")
    assert [str(v["UID"]) for v in cancel.walk("VEVENT")] == [
        invitation_uid(event.pk, n) for n in (3, 4)
    ]


def test_the_back_office_form_tells_and_asks_for_the_reason(admin_client, member) -> None:
    event = make_event()
    register(event, member)
    form = {
        "title": event.title,
        "timezone": event.timezone,
        "sessions": "2027-10-01 09:00 - 17:00",
        "capacity": 10,
        "min_enrolment": 1,
        "meeting_url": event.meeting_url,
        "preparation_notes": "",
        "language": "en",
        "public": "on",
    }
    url = f"/admin/events/event/{event.pk}/edit/"
    response = admin_client.post(url, form)
    assert response.status_code == 200
    assert "membership" in response.content.decode()
    assert Message.objects.filter(kind="event_changed").count() == 0
    response = admin_client.post(url, {**form, "change_reason": "Agreed."})
    assert response.status_code == 302
    assert Message.objects.filter(kind="event_changed").count() == 1
