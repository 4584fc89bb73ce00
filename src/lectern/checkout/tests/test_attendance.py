"""Attendance as recorded: the roster shows it, an unchanged save changes nothing,
corrections are told, a certified instructor is touched only with staff's reason, sessions
are recorded once started, and attendance closes itself."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from lectern.accounts.services import user_ensure
from lectern.certificates.models import Certificate
from lectern.checkout import services
from lectern.checkout.models import AttendanceOutcome, Checkout, SessionAttendance
from lectern.checkout.services import AttendanceRecord
from lectern.core.errors import DomainError
from lectern.core.models import AuditEntry
from lectern.core.permissions import Principal
from lectern.directory.services import directory_entries
from lectern.events.deadlines import ATTENDANCE_CLOSING, ATTENDANCE_REMINDER
from lectern.events.models import Event
from lectern.memberships.selectors import ledger_recount
from lectern.notifications.models import Message
from lectern.notifications.scheduler import tick
from lectern.registrations import services as registration_services
from lectern.registrations.tests.conftest import details

from .conftest import past_event, registered
from .test_checkout import pass_all

pytestmark = pytest.mark.django_db

END = datetime(2027, 1, 31, 22, 0, tzinfo=UTC)  # 17:00 in New York, the last session's end
CLOSING = datetime(2027, 2, 7, 22, 0, tzinfo=UTC)  # + 7 days, same local time


@pytest.fixture
def trainer(db):
    return user_ensure(email="tess@example.org", role="trainer", name="Tess")


@pytest.fixture
def taught(trainer):
    return past_event(trainer_ids=[trainer.pk])


def results(*registrations):
    return [
        (r.status, AttendanceOutcome.objects.get(registration=r).minutes_missed)
        for r in (type(r).objects.get(pk=r.pk) for r in registrations)
    ]


def world_snapshot():
    return (
        list(AttendanceOutcome.objects.order_by("pk").values()),
        list(SessionAttendance.objects.order_by("pk").values()),
        list(Checkout.objects.order_by("pk").values()),
        Message.objects.count(),
        AuditEntry.objects.count(),
    )


def form_as_shown(page: str) -> dict[str, str]:
    """What the browser posts when nothing is changed: every number input's value and every
    ticked box."""
    data = {}
    for match in re.finditer(r'<input id="(missed-[\d-]+)" name="\1" [^>]*value="([^"]*)"', page):
        data[match.group(1)] = match.group(2)
    for match in re.finditer(r'<input type="checkbox" name="(absent-[\d-]+)" checked>', page):
        data[match.group(1)] = "on"
    return data


def test_the_roster_shows_what_was_recorded_and_an_unchanged_save_changes_nothing(
    staff, trainer, taught, member
) -> None:
    """The demo's story: Aroha certified (0 min), Liam 20, Mere 95. The roster showed 0 for
    everyone and a save overwrote them and sent Aroha's checkout back to in progress."""
    aroha, liam, mere = (registered(taught, member, n) for n in range(3))
    services.attendance_record(
        actor=staff,
        event=taught,
        now=END,
        records=[
            AttendanceRecord(aroha.pk, 0),
            AttendanceRecord(liam.pk, 20),
            AttendanceRecord(mere.pk, 95),
        ],
    )
    pass_all(staff, aroha.trainee, now=END)
    before = world_snapshot()
    client = Client()
    with time_machine.travel(END + timedelta(days=1), tick=False):
        client.force_login(trainer)
        page = client.get(f"/events/{taught.pk}/roster/").content.decode()
        first, second = taught.sessions.all()
        assert form_as_shown(page)[f"missed-{liam.pk}-{first.pk}"] == "20"
        assert form_as_shown(page)[f"missed-{mere.pk}-{first.pk}"] == "95"
        assert form_as_shown(page)[f"missed-{mere.pk}-{second.pk}"] == "0"
        response = client.post(f"/events/{taught.pk}/roster/", form_as_shown(page), follow=True)
    assert "Attendance saved" in response.content.decode()
    assert world_snapshot() == before
    assert results(aroha, liam, mere) == [("attended", 0), ("attended", 20), ("failed", 95)]
    assert Checkout.objects.get(trainee=aroha.trainee).status == "certified"


def test_a_certified_instructor_is_corrected_only_with_staff_s_reason(staff, event, member):
    aroha = registered(event, member, 0)
    services.attendance_record(
        actor=staff, event=event, now=END, records=[AttendanceRecord(aroha.pk, 0)]
    )
    aroha.trainee.directory_consent = True
    aroha.trainee.save()
    pass_all(staff, aroha.trainee, now=END)
    assert directory_entries().count() == 1
    with pytest.raises(DomainError) as refused:
        services.attendance_record(
            actor=staff, event=event, now=END, records=[AttendanceRecord(aroha.pk, 120)]
        )
    assert refused.value.code == "already_certified"
    assert Checkout.objects.get(trainee=aroha.trainee).status == "certified"
    services.attendance_record(
        actor=staff,
        event=event,
        now=END,
        records=[AttendanceRecord(aroha.pk, 120)],
        reason="she left at lunch on day one; the trainers' notes say so",
    )
    assert results(aroha) == [("failed", 120)]
    certificate = Certificate.objects.get(trainee=aroha.trainee)
    assert certificate.revoked_at is not None
    assert directory_entries().count() == 0
    assert not Checkout.objects.filter(trainee=aroha.trainee).exists()
    told = Message.objects.filter(kind="attendance_result", object_id=aroha.pk)
    assert sorted(told.values_list("key", flat=True)) == ["r1", "r2"]
    assert "corrected" in told.get(key="r2").body_text


def test_the_api_refuses_a_certified_correction_without_confirm_reason(
    staff_user, api_as, event, member
):
    api = api_as("staff@example.org", "staff")
    aroha = registered(event, member, 0)
    staff = Principal(user=staff_user)
    services.attendance_record(
        actor=staff, event=event, now=END, records=[AttendanceRecord(aroha.pk, 0)]
    )
    pass_all(staff, aroha.trainee, now=END)
    body = {"records": [{"registration_id": aroha.pk, "minutes_missed": 0}]}
    with time_machine.travel(END + timedelta(hours=1), tick=False):
        assert api.post(f"/events/{event.pk}/attendance", body).status_code == 200  # unchanged
        body["records"][0]["minutes_missed"] = 90
        refused = api.post(f"/events/{event.pk}/attendance", body)
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "already_certified"
        confirmed = api.post(
            f"/events/{event.pk}/attendance", {**body, "confirm_reason": "recording error"}
        )
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()[0]["status"] == "failed"
    assert Certificate.objects.get().revoked_at is not None


def test_corrections_are_told_and_open_or_close_checkout(staff, event, member) -> None:
    liam = registered(event, member, 0)

    def record(minutes):
        services.attendance_record(
            actor=staff, event=event, now=END, records=[AttendanceRecord(liam.pk, minutes)]
        )

    record(61)
    assert not Checkout.objects.filter(trainee=liam.trainee).exists()
    record(60)
    assert Checkout.objects.get(trainee=liam.trainee).status == "in_progress"
    record(60)  # the same again: nothing
    record(61)
    assert not Checkout.objects.filter(trainee=liam.trainee).exists()
    keys = Message.objects.filter(kind="attendance_result").values_list("key", flat=True)
    assert sorted(keys) == ["r1", "r2", "r3"]
    member.refresh_from_db()
    assert ledger_recount(member).used == 1  # the seat is used once


@pytest.mark.parametrize(
    ("first", "second", "status"),
    [(30, 30, "attended"), (30, 31, "failed"), (0, 60, "attended"), (61, 0, "failed")],
)
def test_sixty_minutes_summed_over_sessions_pass_sixty_one_fail(
    api_as, event, member, first, second, status
) -> None:
    api = api_as("staff@example.org", "staff")
    trainee = registered(event, member, 0)
    with time_machine.travel(END, tick=False):
        response = api.post(
            f"/events/{event.pk}/attendance",
            {
                "records": [
                    {
                        "registration_id": trainee.pk,
                        "sessions": [
                            {"session_index": 1, "minutes_missed": first},
                            {"session_index": 2, "minutes_missed": second},
                        ],
                    }
                ]
            },
        )
    assert response.status_code == 200, response.content
    assert response.json()[0]["status"] == status
    assert AttendanceOutcome.objects.get().minutes_missed == first + second


def test_a_session_is_recorded_once_it_has_started(api_as, trainer, taught, member) -> None:
    api = api_as("tess@example.org", "trainer")
    trainee, later = registered(taught, member, 0), registered(taught, member, 1)
    first, second = taught.sessions.all()

    def record(index, when, **extra):
        with time_machine.travel(when, tick=False):
            return api.post(
                f"/events/{taught.pk}/attendance",
                {
                    "records": [
                        {
                            "registration_id": trainee.pk,
                            "sessions": [{"session_index": index, "minutes_missed": 10}],
                        }
                    ],
                    **extra,
                },
            )

    early = record(1, first.start - timedelta(seconds=1))
    assert (early.status_code, early.json()["error"]["code"]) == (409, "session_not_started")
    assert record(1, first.start).status_code == 200
    trainee.refresh_from_db()
    assert trainee.status == "confirmed"  # the second session is still to come
    assert record(2, second.start - timedelta(seconds=1)).status_code == 409
    bad = record(3, second.start)
    assert (bad.status_code, bad.json()["error"]["code"]) == (422, "validation_error")
    assert record(2, second.start).status_code == 200
    trainee.refresh_from_db()
    assert trainee.status == "attended"
    # Staff record history before it happens, with a reason; a trainer's reason is refused.
    api_staff = api_as("staff@example.org", "staff")
    with time_machine.travel(first.start - timedelta(days=1), tick=False):
        body = {"records": [{"registration_id": later.pk, "minutes_missed": 0}]}
        assert api_staff.post(f"/events/{taught.pk}/attendance", body).status_code == 409
        body["override_reason"] = "history import from the old system"
        assert api_staff.post(f"/events/{taught.pk}/attendance", body).status_code == 200


def test_attendance_due_to_trainers_at_the_end_and_three_days_later(trainer, taught, member):
    registered(taught, member, 0)
    assert ATTENDANCE_REMINDER.at(taught) == END + timedelta(days=3)

    def due():
        return sorted(Message.objects.filter(kind="attendance_due").values_list("recipient", "key"))

    tick(now=END - timedelta(seconds=1), send=False)
    assert due() == []
    tick(now=END, send=False)
    tick(now=END + timedelta(hours=1), send=False)
    assert due() == [("tess@example.org", "end")]
    message = Message.objects.get(kind="attendance_due")
    assert f"/events/{taught.pk}/roster/" in message.body_text
    tick(now=END + timedelta(days=3) - timedelta(seconds=1), send=False)
    assert len(due()) == 1
    tick(now=END + timedelta(days=3), send=False)
    assert due() == [("tess@example.org", "3d"), ("tess@example.org", "end")]


def test_no_reminder_once_attendance_is_recorded(staff, trainer, taught, member) -> None:
    trainee = registered(taught, member, 0)
    services.attendance_record(
        actor=staff, event=taught, now=END, records=[AttendanceRecord(trainee.pk, 0)]
    )
    tick(now=END + timedelta(days=3), send=False)
    assert not Message.objects.filter(kind="attendance_due").exists()


def test_attendance_closes_itself_at_the_end_plus_seven_days(staff, taught, member) -> None:
    nobody, half = registered(taught, member, 0), registered(taught, member, 1)
    services.attendance_record(
        actor=staff, event=taught, now=END, records=[AttendanceRecord(half.pk, sessions={1: 0})]
    )
    assert ATTENDANCE_CLOSING.at(taught) == CLOSING
    tick(now=CLOSING - timedelta(seconds=1), send=False)
    nobody.refresh_from_db()
    taught.refresh_from_db()
    assert (nobody.status, taught.status) == ("confirmed", "scheduled")
    tick(now=CLOSING, send=False)
    nobody.refresh_from_db()
    half.refresh_from_db()
    taught.refresh_from_db()
    assert taught.status == "completed"
    assert (nobody.status, nobody.outcome.no_show) == ("failed", True)
    assert (half.status, half.outcome.no_show, half.outcome.minutes_missed) == (
        "failed",
        False,
        480,
    )  # the unrecorded second session counts as absent
    member.refresh_from_db()
    assert ledger_recount(member).as_dict()["used"] == 2
    assert ledger_recount(member).as_dict()["reserved"] == 0
    told = Message.objects.filter(kind="attendance_result", object_id=nobody.pk).get()
    assert "We did not see you" in told.body_text
    tick(now=CLOSING + timedelta(minutes=1), send=False)  # once only
    assert Message.objects.filter(kind="attendance_result").count() == 2
    # They can register again.
    later = past_event(days=("2027-04-10", "2027-04-11"))
    again = registration_services.registration_create(
        actor=Principal.anonymous(),
        event_id=later.pk,
        code=member.registration_code,
        details=details(0),
        now=CLOSING + timedelta(hours=1),
    )
    assert again.registration.status == "confirmed"


def test_the_dashboard_lists_events_with_attendance_incomplete(staff_user, taught, member):
    registered(taught, member, 0)
    client = Client()
    with time_machine.travel(END + timedelta(days=1), tick=False):
        client.force_login(staff_user)
        page = client.get("/staff/dashboard/").content.decode()
    section = page[page.index("Attendance incomplete") :]
    assert "January training" in section[:2000]
    assert f"/events/{taught.pk}/roster/" in section[:2000]


def test_trainer_page_links_rosters_recent_events_and_pages_the_older(trainer) -> None:
    def taught_on(day, title):
        second = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
        taught = past_event(days=(day, second), trainer_ids=[trainer.pk])
        Event.objects.filter(pk=taught.pk).update(title=title)
        return taught

    taught_on("2027-03-20", "Coming soon")
    recent = taught_on("2027-01-05", "Recent one")
    for n in range(30):
        taught_on(f"{2023 + n // 12}-{n % 12 + 1:02d}-10", f"Old {n:02d}")
    client = Client()
    with time_machine.travel(datetime(2027, 3, 1, tzinfo=UTC), tick=False):
        client.force_login(trainer)
        page = client.get("/trainer/").content.decode()
        second = client.get("/trainer/?page=2").content.decode()
        nonsense = client.get("/trainer/?page=abc")
    upcoming, rest = page.split('id="past-h"')
    recent_part, older_part = rest.split('id="older-h"')
    assert "Coming soon" in upcoming
    assert "Recent one" in recent_part
    assert f"/events/{recent.pk}/roster/" in recent_part
    assert f"/events/{recent.pk}/roster/import/" in recent_part
    assert older_part.count("Old ") == 25
    assert "Old 29" in older_part  # newest first
    assert second.split('id="older-h"')[1].count("Old ") == 5
    assert nonsense.status_code == 200


def test_the_back_office_event_page_links_the_roster(staff_user, taught) -> None:
    client = Client()
    client.force_login(staff_user)
    page = client.get(f"/admin/events/event/{taught.pk}/change/").content.decode()
    assert f'href="/events/{taught.pk}/roster/"' in page


def test_makeup_meetings_on_the_roster_when_enabled(settings, staff_user, staff, taught, member):
    missed, absent = registered(taught, member, 0), registered(taught, member, 1)
    services.attendance_record(
        actor=staff,
        event=taught,
        now=END,
        records=[AttendanceRecord(missed.pk, 240), AttendanceRecord(absent.pk, 960)],
    )
    client = Client()
    with time_machine.travel(END + timedelta(days=1), tick=False):
        client.force_login(staff_user)
        page = client.get(f"/events/{taught.pk}/roster/").content.decode()
        assert "Record makeup meeting" not in page  # off by default
        settings.LECTERN = {**settings.LECTERN, "MAKEUP_ENABLED": True}
        page = client.get(f"/events/{taught.pk}/roster/").content.decode()
        assert page.count("Record makeup meeting") == 1  # not for the no-show
        done = client.post(f"/events/{taught.pk}/roster/{missed.pk}/makeup/", follow=True)
        # Saving the roster as shown afterwards keeps the makeup.
        client.post(f"/events/{taught.pk}/roster/", form_as_shown(done.content.decode()))
    assert "(made up)" in done.content.decode()
    missed.refresh_from_db()
    assert (missed.status, missed.outcome.made_up) == ("attended", True)
    assert Checkout.objects.get(trainee=missed.trainee).status == "in_progress"
    keys = Message.objects.filter(kind="attendance_result", object_id=missed.pk)
    assert sorted(keys.values_list("key", flat=True)) == ["r1", "r2"]


@pytest.mark.parametrize(
    ("asked", "lands"),
    [
        ("/staff/dashboard/", "/staff/dashboard/"),
        ("https://elsewhere.example/", None),
        ("//elsewhere.example/", None),
    ],
)
def test_a_save_goes_back_to_the_list_it_came_from_on_this_site_only(
    trainer, taught, member, asked, lands
) -> None:
    registration = registered(taught, member, 0)
    first, second = taught.sessions.all()
    client = Client()
    with time_machine.travel(END + timedelta(days=1), tick=False):
        client.force_login(trainer)
        response = client.post(
            f"/events/{taught.pk}/roster/?next={asked}",
            {
                f"missed-{registration.pk}-{first.pk}": "0",
                f"missed-{registration.pk}-{second.pk}": "0",
            },
        )
    assert response.status_code == 302
    assert response["Location"] == (lands or f"/events/{taught.pk}/roster/")
