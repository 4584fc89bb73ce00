"""The trainer page's "attendance due": the trainer's events that have ended with attendance
still to record, each with its roster and the moment attendance closes; not an event whose
attendance is complete, nor one before it ends, nor another trainer's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from lectern.accounts.services import user_ensure
from lectern.checkout import services
from lectern.checkout.services import AttendanceRecord
from lectern.core.permissions import Principal

from .conftest import past_event, registered
from .test_attendance import END

pytestmark = pytest.mark.django_db
SECOND = timedelta(seconds=1)


def section(page: str) -> str:
    html = page[page.index('id="attendance-due"') :]
    return html[: html.index("</section>")]


@pytest.fixture
def trainer(db: Any) -> Any:
    return user_ensure(email="tess@example.org", role="trainer", name="Tess")


def test_an_ended_event_is_due_until_its_attendance_is_complete(trainer: Any, member: Any) -> None:
    due = past_event(trainer_ids=[trainer.pk])
    done = past_event(trainer_ids=[trainer.pk], days=("2027-01-28", "2027-01-29"))
    not_mine = past_event()
    due_registrations = [registered(due, member, 0), registered(due, member, 1)]
    finished = registered(done, member, 2)
    registered(not_mine, member, 3)
    services.attendance_record(
        actor=Principal.as_system(),
        event=done,
        records=[AttendanceRecord(finished.pk, 0)],
        now=END,
    )
    services.attendance_record(  # one of two recorded: still due
        actor=Principal.as_system(),
        event=due,
        records=[AttendanceRecord(due_registrations[0].pk, 0)],
        now=END,
    )
    client = Client()
    with time_machine.travel(END - SECOND, tick=False):  # the last second before it ends
        client.force_login(trainer)
        before = section(client.get("/trainer/").content.decode())
    assert f"/events/{due.pk}/roster/" not in before
    with time_machine.travel(END + timedelta(days=1), tick=False):
        client.force_login(trainer)
        page = client.get("/trainer/").content.decode()
    shown = section(page)
    assert page.index('id="attendance-due"') < page.index('id="upcoming-h"')  # first on the page
    assert f"/events/{due.pk}/roster/" in shown
    assert f"/events/{due.pk}/roster/import/" in shown
    assert "<td>1</td>" in shown  # one trainee still without a record
    # it closes 7 days after the end, in the event's zone and, by the script, the viewer's
    assert "Sun 7 Feb 2027, 17:00 EST (UTC\u221205:00)" in shown
    assert 'datetime="2027-02-07T22:00:00+00:00" data-viewer' in shown
    assert f"/events/{done.pk}/roster/" not in shown  # complete
    assert f"/events/{not_mine.pk}/roster/" not in shown  # another trainer's


def test_nothing_due_says_so(trainer: Any) -> None:
    client = Client()
    client.force_login(trainer)
    assert "None: every event you taught has its attendance." in section(
        client.get("/trainer/").content.decode()
    )
