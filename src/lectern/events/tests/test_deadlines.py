"""Deadlines: counted on the event's local calendar at the same local time, stored for the
database to filter on, told to people from the settings; and every real calendar event."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from lectern.events import deadlines
from lectern.events.deadlines import (
    ATTENDANCE_CLOSING,
    EMERGENCY_WINDOW,
    EVENT_DEADLINES,
    LOW_ENROLMENT_DECISION,
    REGISTRATION_CUTOFF,
    TRAINER_NOTICE,
    shift_local,
    stale_events,
    wall_to_instant,
)
from lectern.events.demo import DATA
from lectern.events.models import Event
from lectern.events.services import LocalTimes, event_create, event_update

pytestmark = pytest.mark.django_db
NEW_YORK = ZoneInfo("America/New_York")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def make_event(staff, timezone: str, *sessions: tuple[str, str], **extra) -> Event:
    return event_create(
        actor=staff,
        title="Instructor Training",
        timezone=timezone,
        sessions=[LocalTimes(a, b) for a, b in sessions],
        capacity=20,
        min_enrolment=4,
        **extra,
    )


class TestLocalCalendarArithmetic:
    def test_nine_on_the_monday_after_the_march_change_closes_at_nine_the_monday_before(
        self,
    ) -> None:
        start = wall_to_instant(datetime(2027, 3, 15, 9, 0), NEW_YORK)  # 09:00 EDT
        assert start == utc("2027-03-15T13:00")
        closes = shift_local(start, -7, NEW_YORK)
        assert closes == utc("2027-03-08T14:00")  # 09:00 EST, not 08:00
        assert closes.astimezone(NEW_YORK).strftime("%a %H:%M %Z") == "Mon 09:00 EST"

    def test_a_local_time_in_the_gap_means_the_first_instant_after_it(self) -> None:
        # 02:30 does not exist on 14 March 2027 in New York: the clocks go 02:00 EST -> 03:00 EDT.
        assert wall_to_instant(datetime(2027, 3, 14, 2, 30), NEW_YORK) == utc("2027-03-14T07:00")
        start = wall_to_instant(datetime(2027, 3, 21, 2, 30), NEW_YORK)
        assert shift_local(start, -7, NEW_YORK) == utc("2027-03-14T07:00")  # 03:00 EDT

    def test_a_local_time_that_happens_twice_means_its_first_occurrence(self) -> None:
        # 01:30 happens twice on 7 November 2027 in New York: first in EDT (05:30Z).
        start = wall_to_instant(datetime(2027, 11, 14, 1, 30), NEW_YORK)  # EST
        assert shift_local(start, -7, NEW_YORK) == utc("2027-11-07T05:30")

    def test_half_hour_gaps_and_whole_days_skipped(self) -> None:
        lord_howe = ZoneInfo("Australia/Lord_Howe")  # 02:00 -> 02:30 on 3 October 2027
        assert wall_to_instant(datetime(2027, 10, 3, 2, 15), lord_howe) == utc("2027-10-02T15:30")
        apia = ZoneInfo("Pacific/Apia")  # 30 December 2011 never happened in Samoa
        assert wall_to_instant(datetime(2011, 12, 30, 9, 0), apia) == utc("2011-12-30T10:00")


class TestEachDeadline:
    """The instant of every event deadline, across a daylight-saving change."""

    def event(self, staff) -> Event:
        # New York: Tue 16 and Wed 17 March 2027, 09:00-17:00 EDT (the change is on the 14th).
        return make_event(
            staff,
            "America/New_York",
            ("2027-03-16T09:00", "2027-03-16T17:00"),
            ("2027-03-17T09:00", "2027-03-17T17:00"),
        )

    def test_cutoff_low_enrolment_and_trainers_notice_count_from_the_first_start(
        self, staff
    ) -> None:
        event = self.event(staff)
        assert REGISTRATION_CUTOFF.at(event) == utc("2027-03-09T14:00")  # Tue 09:00 EST
        assert LOW_ENROLMENT_DECISION.at(event) == utc("2027-03-02T14:00")  # Tue 09:00 EST
        assert TRAINER_NOTICE.at(event) == utc("2027-02-14T14:00")  # Sun 09:00 EST

    def test_emergency_window_and_attendance_closing_count_from_the_last_end(self, staff) -> None:
        event = make_event(
            staff, "America/New_York", ("2027-03-10T09:00", "2027-03-10T17:00")
        )  # ends 17:00 EST = 22:00Z
        assert EMERGENCY_WINDOW.at(event) == utc("2027-03-17T21:00")  # 17:00 EDT
        assert ATTENDANCE_CLOSING.at(event) == utc("2027-03-17T21:00")

    @pytest.mark.parametrize("deadline", EVENT_DEADLINES, ids=lambda d: d.name)
    def test_passed_and_q_from_the_instant_on_not_a_second_before(self, staff, deadline) -> None:
        event = self.event(staff)
        instant = deadline.at(event)
        before = instant - timedelta(seconds=1)
        assert not deadline.passed(event, before)
        assert deadline.passed(event, instant)
        reached = Event.objects.filter(pk=event.pk)
        assert not reached.filter(deadline.q(now=before, passed=True)).exists()
        assert reached.filter(deadline.q(now=before, passed=False)).exists()
        assert reached.filter(deadline.q(now=instant, passed=True)).exists()
        assert not reached.filter(deadline.q(now=instant, passed=False)).exists()

    def test_attendance_closing_is_a_setting(self, staff, settings) -> None:
        settings.LECTERN = {**settings.LECTERN, "ATTENDANCE_CLOSING_DAYS": 10}
        event = make_event(staff, "UTC", ("2027-03-10T09:00", "2027-03-10T17:00"))
        assert ATTENDANCE_CLOSING.at(event) == utc("2027-03-20T17:00")
        assert ATTENDANCE_CLOSING.relation == "10 days after the last session ends"


class TestStoredInstants:
    def test_every_writer_of_sessions_keeps_them(self, staff) -> None:
        event = make_event(staff, "America/New_York", ("2027-03-16T09:00", "2027-03-16T17:00"))
        assert event.registration_closes_at == utc("2027-03-09T14:00")
        event_update(
            actor=staff,
            event=event,
            changes={"sessions": [LocalTimes("2027-04-06T09:00", "2027-04-06T17:00")]},
        )
        event_update(actor=staff, event=event, changes={"timezone": "Europe/Berlin"})
        event.refresh_from_db()
        assert event.registration_closes_at == utc("2027-03-30T07:00")  # 09:00 CEST
        assert stale_events(Event.objects.all()) == []
        call_command("check_deadlines")

    def test_the_check_finds_and_fixes_instants_a_setting_change_made_stale(
        self, staff, settings, capsys
    ) -> None:
        event = make_event(staff, "UTC", ("2027-03-16T09:00", "2027-03-16T17:00"))
        settings.LECTERN = {**settings.LECTERN, "REGISTRATION_CUTOFF_DAYS": 10}
        with pytest.raises(CommandError):
            call_command("check_deadlines")
        assert f"event {event.pk}" in capsys.readouterr().err
        call_command("check_deadlines", fix=True)
        event.refresh_from_db()
        assert event.registration_closes_at == utc("2027-03-06T09:00")
        call_command("check_deadlines")


class TestWords:
    def test_pages_emails_and_errors_take_the_number_from_the_setting(
        self, staff, settings, client: Client
    ) -> None:
        settings.LECTERN = {**settings.LECTERN, "REGISTRATION_CUTOFF_DAYS": 10}
        event = make_event(staff, "Europe/Berlin", ("2027-04-01T09:00", "2027-04-01T17:00"))
        page = client.get(f"/events/{event.pk}/").content.decode()
        assert "Registration closes 10 days before the event" in page
        assert "Mon 22 Mar 2027, 09:00 CET (UTC+01:00)" in page
        words = REGISTRATION_CUTOFF.words(event)
        assert words.relation == "10 days before the first session starts"
        assert words.utc == "Mon 22 Mar 2027, 08:00 UTC"
        assert deadlines.days_text(1) == "1 day"


class TestRealCalendar:
    """Every event of the project's copy of the real public calendar, entered as staff do."""

    def records(self) -> list[dict]:
        data = json.loads(DATA.read_text())
        assert set(data) == {"description", "source_commit", "events"}
        records = data["events"]
        assert len(records) >= 250
        for record in records:
            assert {"iana", "local_start", "local_end", "session_dates"} <= set(record)
            ZoneInfo(record["iana"])
            assert record["session_dates"] == sorted(record["session_dates"])
            for day in record["session_dates"]:
                date.fromisoformat(day)
            datetime.strptime(record["local_start"], "%H:%M")  # noqa: DTZ007
        return records

    def test_each_cutoff_is_the_same_local_time_seven_days_before_its_first_session(
        self, staff
    ) -> None:
        days = REGISTRATION_CUTOFF.days
        assert days == 7
        records = self.records()
        for record in records:
            tz = ZoneInfo(record["iana"])
            event = make_event(
                staff,
                record["iana"],
                *[
                    (f"{day}T{record['local_start']}", f"{day}T{record['local_end']}")
                    for day in record["session_dates"]
                ],
                status="completed",
            )
            first = date.fromisoformat(record["session_dates"][0])
            wall = datetime.combine(first, datetime.strptime(record["local_start"], "%H:%M").time())  # noqa: DTZ007
            local = REGISTRATION_CUTOFF.at(event).astimezone(tz)
            assert local.replace(tzinfo=None) == wall - timedelta(days=days), record
            assert event.registration_closes_at == REGISTRATION_CUTOFF.at(event)
        assert Event.objects.count() == len(records)
