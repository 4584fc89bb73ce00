"""Attendance from Zoom's participant report: the variants Zoom really exports, matching by
email then name, the union of stays clipped to each session, a preview that writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from lectern.accounts.services import user_ensure
from lectern.checkout.imports import attendance_import
from lectern.checkout.models import AttendanceOutcome, SessionAttendance
from lectern.checkout.reports import report_read
from lectern.core.errors import DomainError
from lectern.notifications.models import Message

from .conftest import past_event, registered

pytestmark = pytest.mark.django_db

END = datetime(2027, 1, 31, 22, 0, tzinfo=UTC)

# Day one, as Zoom exports it: a byte-order mark, the meeting block, then the participants.
# Trainee 0 rejoined three times (and joined early); Trainee 1 used a personal address and
# a nickname, and came 61 minutes late; "trainee 2" (typed in lower case, with an accent
# Zoom kept) left 60 minutes early; a guest nobody registered; the trainer.
DAY_ONE = (
    "\ufeffMeeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
    "812 3456 7890,January training,01/30/2027 08:41:07 AM,01/30/2027 05:06:12 PM,"
    "tess@example.org,505,6\n"
    "\n"
    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,"
    "Recording Consent\n"
    "Tess (Tess Trainer),tess@example.org,01/30/2027 08:41:07 AM,01/30/2027 05:06:12 PM,505,No,\n"
    "Trainee 0,trainee0@uni.example,01/30/2027 08:50:00 AM,01/30/2027 10:30:00 AM,100,No,Y\n"
    "Trainee 0,TRAINEE0@uni.example,01/30/2027 10:40:00 AM,01/30/2027 12:00:00 PM,80,No,Y\n"
    "Trainee 0,trainee0@uni.example,01/30/2027 11:59:30 AM,01/30/2027 03:10:00 PM,191,No,Y\n"
    "Trainee 0,trainee0@uni.example,01/30/2027 03:20:00 PM,01/30/2027 05:00:00 PM,100,No,Y\n"
    "Ali (Trainee 1),ali.home@mail.example,01/30/2027 10:01:00 AM,01/30/2027 05:02:00 PM,421,"
    "Yes,Y\n"
    "tráinee 2,,01/30/2027 09:00:00 AM,01/30/2027 04:00:00 PM,420,Yes,Y\n"
    '"Guest Speaker, PhD",,01/30/2027 01:00:00 PM,01/30/2027 02:00:00 PM,60,Yes,Y\n'
)

# Both days in one report from another export: plain "Name" and "Email", no meeting block,
# times in UTC (named in the header), on a 24-hour clock without seconds.
BOTH_DAYS = (
    "Name,Email,Join Time (UTC),Leave Time (UTC),Duration (Minutes)\n"
    "Trainee 0,trainee0@uni.example,2027-01-30 14:00,2027-01-30 22:00,480\n"
    "Trainee 0,trainee0@uni.example,2027-01-31 14:30,2027-01-31 22:00,450\n"
    "Trainee 1,trainee1@uni.example,2027-01-30 14:00,2027-01-30 22:00,480\n"
    "Trainee 1,trainee1@uni.example,2027-01-31 14:31,2027-01-31 22:00,449\n"
    "Trainee 1,trainee1@uni.example,2027-01-31 14:00,2027-01-31 14:30,30\n"
)


@pytest.fixture
def event(db):
    trainer = user_ensure(email="tess@example.org", role="trainer", name="Tess")
    return past_event(trainer_ids=[trainer.pk])


def by_name(preview):
    return {row.name: row for row in preview.rows}


def test_day_one_preview_matches_by_email_then_name_and_writes_nothing(staff, event, member):
    trainees = [registered(event, member, n) for n in range(4)]
    messages = Message.objects.count()
    preview = attendance_import(actor=staff, event=event, report=DAY_ONE, commit=False, now=END)
    assert preview.sessions == [1]
    rows = by_name(preview)
    assert rows["Trainee 0"].sessions == [{"session_index": 1, "minutes_missed": 20}]
    assert rows["Trainee 0"].lines == [6, 7, 8, 9]
    assert rows["Trainee 1"].minutes_missed == 61  # matched by the original name
    assert rows["Trainee 2"].minutes_missed == 60  # by name, case and accent aside
    assert rows["Trainee 3"].minutes_missed == 480  # not in the report: absent
    assert {r.outcome for r in preview.rows} == {"pending"}  # day two is still to record
    assert [(u.line, u.name, u.minutes) for u in preview.unmatched] == [
        (12, "Guest Speaker, PhD", 60)
    ]  # the trainer is not listed
    assert SessionAttendance.objects.count() == 0
    assert Message.objects.count() == messages
    committed = attendance_import(
        actor=staff, event=event, report=DAY_ONE, commit=True, matches={12: trainees[3].pk}, now=END
    )
    assert by_name(committed)["Trainee 3"].minutes_missed == 420
    recorded = dict(
        SessionAttendance.objects.values_list("registration__trainee__name", "minutes_missed")
    )
    assert recorded == {"Trainee 0": 20, "Trainee 1": 61, "Trainee 2": 60, "Trainee 3": 420}
    assert not AttendanceOutcome.objects.exists()


def test_a_report_of_both_days_decides_sixty_minutes_pass_sixty_one_fail(staff, event, member):
    first, second = registered(event, member, 0), registered(event, member, 1)
    preview = attendance_import(actor=staff, event=event, report=BOTH_DAYS, commit=True, now=END)
    assert preview.sessions == [1, 2]
    rows = by_name(preview)
    assert (rows["Trainee 0"].minutes_missed, rows["Trainee 0"].outcome) == (30, "passed")
    # 30 minutes present before a gap of one minute, then the rest: 1 minute missed.
    assert rows["Trainee 1"].minutes_missed == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("attended", "attended")
    late = BOTH_DAYS.replace(
        "2027-01-31 14:30,2027-01-31 22:00,450", "2027-01-31 15:00,2027-01-31 22:00,420"
    )
    late = late.replace(
        "2027-01-30 14:00,2027-01-30 22:00,480\nTrainee 0,trainee0@uni.example,2027-01-31 15:00",
        "2027-01-30 14:01,2027-01-30 22:00,479\nTrainee 0,trainee0@uni.example,2027-01-31 15:00",
        1,
    )
    assert (
        by_name(attendance_import(actor=staff, event=event, report=late, commit=False, now=END))[
            "Trainee 0"
        ].outcome
        == "failed"
    )  # 1 + 60 = 61


def test_minutes_are_summed_before_rounding(staff, event, member) -> None:
    """30:29 missed on each day is 60:58 in all: more than an hour, though each day alone
    rounds to 30."""
    registered(event, member, 0)
    report = (
        "Name,Email,Join Time (UTC),Leave Time (UTC)\n"
        "Trainee 0,trainee0@uni.example,2027-01-30 14:30:29,2027-01-30 22:00:00\n"
        "Trainee 0,trainee0@uni.example,2027-01-31 14:30:29,2027-01-31 22:00:00\n"
    )
    (row,) = attendance_import(actor=staff, event=event, report=report, commit=False, now=END).rows
    assert (row.minutes_missed, row.outcome) == (61, "failed")
    assert sorted(s["minutes_missed"] for s in row.sessions) == [30, 31]
    exactly = report.replace("14:30:29", "14:30:00")
    (row,) = attendance_import(actor=staff, event=event, report=exactly, commit=False, now=END).rows
    assert (row.minutes_missed, row.outcome) == (60, "passed")


@pytest.mark.parametrize(
    ("variant", "change"),
    [
        ("24-hour clock with seconds", ("01:00:00 PM", "13:00:00")),
        ("12-hour clock without seconds", ("09:00:00 AM", "09:00 AM")),
        ("no BOM", ("\ufeff", "")),
    ],
)
def test_report_variants_read_the_same(event, variant, change) -> None:
    rows = report_read(DAY_ONE.replace(*change), event.timezone)
    assert rows == report_read(DAY_ONE, event.timezone), variant


def test_times_are_in_the_event_s_zone_unless_the_report_names_one(event) -> None:
    (row,) = report_read(
        "Name,Email,Join Time,Leave Time\nA,a@x.example,01/30/2027 09:00,01/30/2027 10:00\n",
        "America/New_York",
    )
    assert row.joined == datetime(2027, 1, 30, 14, 0, tzinfo=UTC)
    (row,) = report_read(
        "Name,Email,Join Time (UTC),Leave Time (UTC)\n"
        "A,a@x.example,01/30/2027 09:00,01/30/2027 10:00\n",
        "America/New_York",
    )
    assert row.joined == datetime(2027, 1, 30, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "report"),
    [
        (
            3,
            "Name,Email,Join Time,Leave Time\nA,a@x.example,01/30/2027 09:00,01/30/2027 10:00\n"
            "B,b@x.example,soon,01/30/2027 10:00\n",
        ),
        (2, "Name,Email,Join Time,Leave Time\nA,a@x.example\n"),
        (2, "Name,Email,Join Time,Leave Time\nA,a@x.example,01/30/2027 11:00,01/30/2027 10:00\n"),
        # zones and offsets that do not exist, and a date no zone can hold
        (1, "Name,Email,Join Time (UTC+99:00),Leave Time\nA,a@x.example,,\n"),
        (1, "Name,Email,Join Time (UTC+23:99),Leave Time\nA,a@x.example,,\n"),
        (1, "Name,Email,Join Time (America/Argentina),Leave Time\nA,a@x.example,,\n"),
        (2, "Time Zone\nUTC+30\nName,Email,Join Time,Leave Time\n"),
        (2, "Name,Email,Join Time,Leave Time\nA,a@x.example,12/31/9999 23:00,12/31/9999 23:30\n"),
    ],
)
def test_a_malformed_line_is_refused_naming_it(staff, event, member, line, report) -> None:
    registered(event, member, 0)
    with pytest.raises(DomainError) as refused:
        attendance_import(actor=staff, event=event, report=report, commit=True, now=END)
    assert refused.value.code == "validation_error"
    assert refused.value.message.startswith(f"Line {line}:")
    assert SessionAttendance.objects.count() == 0


def test_a_report_without_a_participant_table_or_of_another_day(staff, event) -> None:
    for report in (
        "",
        "just text\n",
        "Name,Email,Join Time,Leave Time\nA,a@x.example,03/01/2027 09:00,03/01/2027 10:00\n",
    ):
        with pytest.raises(DomainError) as refused:
            attendance_import(actor=staff, event=event, report=report, commit=False, now=END)
        assert refused.value.code == "validation_error"


def test_the_api_previews_and_commits(api_as, event, member) -> None:
    trainee = registered(event, member, 0)
    api = api_as("tess@example.org", "trainer")
    with time_machine.travel(END + timedelta(hours=1), tick=False):
        preview = api.post(f"/events/{event.pk}/attendance/import", {"report": DAY_ONE})
        assert preview.status_code == 200, preview.content
        body = preview.json()
        assert body["rows"][0]["registration_id"] == trainee.pk
        assert body["rows"][0]["minutes_missed"] == 20
        assert {u["name"] for u in body["unmatched"]} == {"Ali", "tráinee 2", "Guest Speaker, PhD"}
        assert SessionAttendance.objects.count() == 0
        bad = api.post(
            f"/events/{event.pk}/attendance/import",
            {"report": "Name,Email,Join Time,Leave Time\nA,a,b,c\n", "commit": True},
        )
        assert bad.status_code == 422
        assert "Line 2" in bad.json()["error"]["message"]
        done = api.post(
            f"/events/{event.pk}/attendance/import", {"report": DAY_ONE, "commit": True}
        )
    assert done.json()["committed"] is True
    assert SessionAttendance.objects.get().minutes_missed == 20
