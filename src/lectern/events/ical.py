"""Events as iCalendar: the public feed, and the invitations that go with emails.

They are two calendars, and calendar programs must never take one for the other:

- the **feed** (`calendar_ics`) is a published calendar people subscribe to; its UIDs are
  `feed-event-<id>-session-<n>@<host>`; it carries no seat count (a subscription is read
  hours later, when such a figure is wrong);
- an **invitation** (`invitation_ics`) is an iTIP message (RFC 5546) in a trainee's or
  trainer's email: `METHOD:REQUEST` with UIDs `invitation-event-<id>-session-<n>@<host>` and
  `SEQUENCE` = the event's `change_sequence`, which rises with each change people are told
  of, so that a calendar program replaces its entry with the update; `METHOD:CANCEL` with the
  same UIDs removes the entry after a move, a withdrawal or a cancellation.

`<host>` is the host of the installation's base URL, so no other installation's UIDs meet
ours in someone's calendar.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from email.utils import parseaddr
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings

from lectern.core.validators import as_one_line
from lectern.events.models import Event
from lectern.events.selectors import FORMAT_LABELS, event_format, local_sessions
from lectern.notifications.services import File

REQUEST = "REQUEST"
CANCEL = "CANCEL"


def installation_host() -> str:
    return urlsplit(settings.BASE_URL).hostname or "lectern.invalid"


def feed_uid(event_id: int, number: int) -> str:
    return f"feed-event-{event_id}-session-{number}@{installation_host()}"


def invitation_uid(event_id: int, number: int) -> str:
    return f"invitation-event-{event_id}-session-{number}@{installation_host()}"


def _calendar(name: str, method: str = "") -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Lectern//Instructor training calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    calendar.add("x-wr-calname", as_one_line(name))
    return calendar


def _vevent(
    event: Event, number: int, count: int, start: datetime, end: datetime, now: datetime
) -> icalendar.Event:
    tz = ZoneInfo(event.timezone)
    url = f"{settings.BASE_URL}/events/{event.pk}/"
    vevent = icalendar.Event()
    vevent.add("dtstamp", now)
    vevent.add("dtstart", start.astimezone(tz))
    vevent.add("dtend", end.astimezone(tz))
    title = as_one_line(event.title)  # titles stored before they were checked
    vevent.add("summary", f"{title} (part {number} of {count})")
    vevent.add("url", url)
    vevent.add("description", f"{FORMAT_LABELS[event_format(event)]}, online. Details: {url}")
    return vevent


def calendar_ics(events: Iterable[Event], *, now: datetime, name: str) -> bytes:
    """The public feed: one VEVENT per session, in the event's zone, with VTIMEZONEs."""
    calendar = _calendar(name)
    for event in events:
        sessions = local_sessions(event)
        for number, session in enumerate(sessions, start=1):
            vevent = _vevent(event, number, len(sessions), session.start, session.end, now)
            vevent.add("uid", feed_uid(event.pk, number))
            calendar.add_component(vevent)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _organizer() -> icalendar.vCalAddress:
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = icalendar.vCalAddress(f"mailto:{address or 'training@lectern.invalid'}")
    organizer.params["cn"] = icalendar.vText(name or settings.PROGRAMME_NAME)
    return organizer


# DTSTAMP is the moment of each message; the rest is the same for every reader of a version
# of the schedule, and building the time-zone data is most of a registration's cost.
_STAMP = datetime(1970, 1, 1, tzinfo=UTC)
_STAMP_TEXT = b"DTSTAMP:19700101T000000Z"
_ICS_CACHE: dict[tuple[object, ...], bytes] = {}


def invitation_ics(
    event: Event,
    *,
    now: datetime,
    method: str = REQUEST,
    sessions: Sequence[tuple[datetime, datetime]] | None = None,
    first_number: int = 1,
) -> bytes:
    """The event's sessions as an iTIP message: an invitation (`REQUEST`) or its
    cancellation (`CANCEL`), with the event's current SEQUENCE.

    `sessions` (UTC pairs) and `first_number` name other sessions than the event's own: a
    cancellation of the sessions a change removed.
    """
    if sessions is None:
        sessions = [(s.start, s.end) for s in event.sessions.all()]
    pairs = tuple(sessions)
    key: tuple[object, ...] = (event.pk, event.title, event.timezone, event.change_sequence)
    key += (method, pairs, first_number, installation_host())
    cached = _ICS_CACHE.get(key)
    if cached is None:
        if len(_ICS_CACHE) > 512:
            _ICS_CACHE.clear()
        calendar = _calendar(event.title, method)
        count = len(pairs) + first_number - 1
        for number, (start, end) in enumerate(pairs, start=first_number):
            vevent = _vevent(event, number, count, start, end, _STAMP)
            vevent.add("uid", invitation_uid(event.pk, number))
            vevent.add("sequence", event.change_sequence)
            vevent.add("organizer", _organizer())
            vevent.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
            vevent.add("transp", "OPAQUE")
            calendar.add_component(vevent)
        calendar.add_missing_timezones()
        cached = _ICS_CACHE[key] = calendar.to_ical()
    stamp = f"DTSTAMP:{now.astimezone(UTC):%Y%m%dT%H%M%SZ}".encode()
    return cached.replace(_STAMP_TEXT, stamp)


def invitation_filename(event: Event, method: str = REQUEST) -> str:
    """`instructor-training-2027-03-10.ics`: named after the event and its first day."""
    text = unicodedata.normalize("NFKD", event.title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-") or "training"
    suffix = "-cancelled" if method == CANCEL else ""
    return f"{slug}-{event.first_local_date:%Y-%m-%d}{suffix}.ics"


def invitation_content_type(method: str = REQUEST) -> str:
    return f"text/calendar; method={method}"


def invitation_file(event: Event, *, now: datetime, method: str = REQUEST) -> File:
    """The invitation (or cancellation) as an email attachment."""
    return File(
        invitation_filename(event, method),
        invitation_content_type(method),
        invitation_ics(event, now=now, method=method),
    )
