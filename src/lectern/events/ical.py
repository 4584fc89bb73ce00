"""The calendar as iCalendar: one VEVENT per session, in the event's zone, with VTIMEZONEs."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings

from lectern.core.validators import as_one_line
from lectern.events.models import Event
from lectern.events.selectors import FORMAT_LABELS, event_format, local_sessions


def calendar_ics(
    events: Iterable[Event], *, now: datetime, name: str, with_seats: bool = True
) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Lectern//Instructor training calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", as_one_line(name))
    for event in events:
        tz = ZoneInfo(event.timezone)
        sessions = local_sessions(event)
        url = f"{settings.BASE_URL}/events/{event.pk}/"
        for number, session in enumerate(sessions, start=1):
            vevent = icalendar.Event()
            vevent.add("uid", f"event-{event.pk}-session-{number}@lectern")
            vevent.add("dtstamp", now)
            vevent.add("dtstart", session.start.astimezone(tz))
            vevent.add("dtend", session.end.astimezone(tz))
            title = as_one_line(event.title)  # titles stored before they were checked
            vevent.add("summary", f"{title} (part {number} of {len(sessions)})")
            vevent.add("url", url)
            seats = f"Seats left: {event.places_left}. " if with_seats else ""
            vevent.add(
                "description",
                f"{FORMAT_LABELS[event_format(event)]}, online. {seats}Details: {url}",
            )
            calendar.add_component(vevent)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def event_ics(event: Event, *, now: datetime) -> bytes:
    """One event's sessions as an .ics file, for email attachments.

    Every registrant of an event gets the same file, and building the time-zone data is
    most of a registration's cost: the file is kept per version of the event's schedule.
    """
    sessions = tuple((s.start, s.end) for s in event.sessions.all())
    key = (event.pk, event.title, event.timezone, sessions)
    cached = _ICS_CACHE.get(key)
    if cached is None:
        if len(_ICS_CACHE) > 512:
            _ICS_CACHE.clear()
        cached = _ICS_CACHE[key] = calendar_ics(
            [event], now=now, name=event.title, with_seats=False
        )
    return cached


_ICS_CACHE: dict[tuple[object, ...], bytes] = {}
