"""Events: local times in IANA zones across daylight-saving changes, validation, the cutoff."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lectern.core.errors import Conflict, Invalid
from lectern.events import services
from lectern.events.models import EventStatus
from lectern.events.selectors import event_format, event_warnings, registration_cutoff
from lectern.events.services import LocalTimes
from lectern.registrations.services import event_cancel

pytestmark = pytest.mark.django_db


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def make_event(staff, timezone: str, *sessions: tuple[str, str], **extra):
    return services.event_create(
        actor=staff,
        title="Instructor Training",
        timezone=timezone,
        sessions=[LocalTimes(a, b) for a, b in sessions],
        capacity=extra.pop("capacity", 20),
        min_enrolment=extra.pop("min_enrolment", 6),
        **extra,
    )


def instants(event) -> list[tuple[datetime, datetime]]:
    return [(s.start, s.end) for s in event.sessions.all()]


def test_new_york_event_spanning_the_november_change(staff) -> None:
    event = make_event(
        staff,
        "America/New_York",
        ("2026-10-31T09:00", "2026-10-31T17:00"),
        ("2026-11-02T09:00", "2026-11-02T17:00"),
    )
    assert instants(event) == [
        (utc("2026-10-31T13:00"), utc("2026-10-31T21:00")),  # EDT, UTC-4
        (utc("2026-11-02T14:00"), utc("2026-11-02T22:00")),  # EST, UTC-5
    ]
    assert event_format(event) == "two_full_days"


def test_auckland_event_crossing_its_april_change(staff) -> None:
    event = make_event(
        staff,
        "Pacific/Auckland",
        ("2027-04-03T09:00", "2027-04-03T13:00"),
        ("2027-04-04T09:00", "2027-04-04T13:00"),
        ("2027-04-05T09:00", "2027-04-05T13:00"),
        ("2027-04-06T09:00", "2027-04-06T13:00"),
    )
    starts = [start for start, _ in instants(event)]
    assert starts == [
        utc("2027-04-02T20:00"),
        utc("2027-04-03T21:00"),
        utc("2027-04-04T21:00"),
        utc("2027-04-05T21:00"),
    ]
    assert event_format(event) == "four_half_days"
    assert event.first_local_date.isoformat() == "2027-04-03"


def test_kolkata_half_hour_offset(staff) -> None:
    event = make_event(
        staff,
        "Asia/Kolkata",
        ("2027-02-10T09:00", "2027-02-10T17:00"),
        ("2027-02-11T09:00", "2027-02-11T17:00"),
    )
    assert instants(event)[0] == (utc("2027-02-10T03:30"), utc("2027-02-10T11:30"))


def test_a_time_in_the_spring_gap_is_refused_naming_it(staff) -> None:
    with pytest.raises(Invalid) as refused:
        make_event(staff, "America/New_York", ("2027-03-14T02:30", "2027-03-14T10:00"))
    message = refused.value.fields["sessions.0.start"][0]
    assert "2027-03-14 02:30 does not exist in America/New_York" in message


def test_an_ambiguous_time_takes_the_first_and_says_so(staff) -> None:
    event = make_event(staff, "America/New_York", ("2026-11-01T01:30", "2026-11-01T09:30"))
    assert instants(event)[0][0] == utc("2026-11-01T05:30")  # 01:30 EDT, the first one
    assert any(
        "happens twice in America/New_York" in w and "EDT" in w for w in event_warnings(event)
    )


@pytest.mark.parametrize(
    ("sessions", "field"),
    [
        ([("2027-01-10T09:00", "2027-01-10T09:00")], "sessions.0.end"),
        ([("2027-01-10T09:00", "2027-01-10T08:00")], "sessions.0.end"),
        (
            [("2027-01-10T09:00", "2027-01-10T17:00"), ("2027-01-10T16:00", "2027-01-10T18:00")],
            "sessions",
        ),
        ([("10 January 2027", "2027-01-10T17:00")], "sessions.0.start"),
        ([], "sessions"),
    ],
)
def test_session_validation(staff, sessions, field) -> None:
    with pytest.raises(Invalid) as refused:
        make_event(staff, "Europe/Berlin", *sessions)
    assert field in refused.value.fields


def test_unknown_zone_and_numbers(staff) -> None:
    with pytest.raises(Invalid) as refused:
        make_event(staff, "Mars/Olympus", ("2027-01-10T09:00", "2027-01-10T17:00"))
    assert "timezone" in refused.value.fields
    with pytest.raises(Invalid) as refused:
        make_event(
            staff, "UTC", ("2027-01-10T09:00", "2027-01-10T17:00"), capacity=5, min_enrolment=6
        )
    assert "min_enrolment" in refused.value.fields


def test_cutoff_is_the_same_local_time_seven_days_before(staff) -> None:
    # Berlin: the event is in summer time (09:00 CEST = 07:00Z), the cutoff a week before is
    # in winter time: 09:00 CET = 08:00Z, not 7 x 24 h earlier.
    event = make_event(staff, "Europe/Berlin", ("2027-04-01T09:00", "2027-04-01T17:00"))
    assert registration_cutoff(event) == utc("2027-03-25T08:00")


def test_fewer_than_two_trainers_warns(staff) -> None:
    from lectern.accounts.services import user_ensure

    one = user_ensure(email="t1@example.org", role="trainer")
    event = make_event(staff, "UTC", ("2027-01-10T09:00", "2027-01-10T17:00"), trainer_ids=[one.pk])
    assert "At least two trainers are recommended; 1 assigned." in event_warnings(event)
    two = user_ensure(email="t2@example.org", role="trainer")
    services.event_update(actor=staff, event=event, changes={"trainer_ids": [one.pk, two.pk]})
    assert not any("trainers" in w for w in event_warnings(event))
    not_trainer = user_ensure(email="x@example.org")
    with pytest.raises(Invalid):
        services.event_update(actor=staff, event=event, changes={"trainer_ids": [not_trainer.pk]})


def test_changing_the_zone_keeps_local_times(staff) -> None:
    event = make_event(staff, "Europe/London", ("2027-01-10T09:00", "2027-01-10T17:00"))
    services.event_update(actor=staff, event=event, changes={"timezone": "Europe/Berlin"})
    assert instants(event)[0][0] == utc("2027-01-10T08:00")


def test_cancel_needs_a_reason_and_happens_once(staff) -> None:
    event = make_event(staff, "UTC", ("2027-01-10T09:00", "2027-01-10T17:00"))
    with pytest.raises(Invalid):
        event_cancel(actor=staff, event=event, reason=" ")
    event_cancel(actor=staff, event=event, reason="trainer ill")
    event.refresh_from_db()
    assert (event.status, event.cancel_reason) == (EventStatus.CANCELLED, "trainer ill")
    with pytest.raises(Conflict):
        event_cancel(actor=staff, event=event, reason="again")
