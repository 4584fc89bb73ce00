"""Public calendar and event pages, and the trainer's list of events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext, ngettext

from lectern.core import clock
from lectern.core.errors import DomainError, NotFound
from lectern.core.languages import use_event_language
from lectern.core.permissions import Principal, get_visible
from lectern.events.deadlines import instant_text, utc_text
from lectern.events.models import Event, EventStatus
from lectern.events.selectors import (
    FORMAT_LABELS,
    LocalSession,
    Quarter,
    calendar_events,
    calendar_quarters,
    event_format,
    events_taught_by,
    events_visible_to,
    local_sessions,
    registration_cutoff,
    registration_open,
    with_schedule,
)
from lectern.events.timezones import language_name


def _principal(request: HttpRequest) -> Principal:
    user = request.user
    return Principal(user=user) if user.is_authenticated else Principal.anonymous()


@dataclass(frozen=True)
class EventCard:
    """What a page shows of an event, computed once per event."""

    event: Event
    sessions: list[LocalSession]
    format_label: str
    cutoff: datetime
    registration_open: bool

    @property
    def cutoff_label(self) -> str:
        return instant_text(self.cutoff, self.event.timezone)

    @property
    def cutoff_utc(self) -> str:
        return utc_text(self.cutoff)

    @property
    def language_name(self) -> str:
        """The event's language by name, in the page's language: "Spanish", "español"."""
        return language_name(self.event.language)

    @property
    def availability(self) -> str:
        if self.event.status == EventStatus.CANCELLED:
            return gettext("Cancelled")
        if self.event.places_left == 0:
            return gettext("Full")
        if not self.registration_open:
            return gettext("Registration closed")
        left = self.event.places_left
        return ngettext("%(count)d seat left", "%(count)d seats left", left) % {"count": left}


def event_card(event: Event, now: datetime) -> EventCard:
    return EventCard(
        event=event,
        sessions=local_sessions(event),
        format_label=str(FORMAT_LABELS[event_format(event)]),
        cutoff=registration_cutoff(event),
        registration_open=registration_open(event, now),
    )


def calendar_page(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    try:
        quarters = calendar_quarters(request.GET.get("quarter"), now.date())
    except DomainError as exc:
        return render(
            request, "events/calendar.html", {"error": exc.message, "sections": []}, status=400
        )
    events = list(calendar_events(quarters, now))
    sections: list[tuple[Quarter, list[EventCard]]] = []
    for quarter in quarters:
        cards = [
            event_card(e, now)
            for e in events
            if quarter.first_day <= e.first_local_date <= quarter.last_day
        ]
        sections.append((quarter, cards))
    return render(request, "events/calendar.html", {"sections": sections, "now": now})


def event_page(request: HttpRequest, event_id: int) -> HttpResponse:
    visible = with_schedule(events_visible_to(_principal(request)))
    try:
        event = get_visible(visible, event_id, "event")
    except NotFound as exc:
        raise Http404(exc.message) from None
    use_event_language(request, event.language)
    return render(request, "events/event.html", {"card": event_card(event, clock.now())})


TRAINER_RECENT_DAYS = 90
TRAINER_PAGE_SIZE = 25


@login_required
def trainer_events(request: HttpRequest) -> HttpResponse:
    """Upcoming events and those of the last 90 days, each with its roster and report import;
    older ones a page at a time (`?page=`)."""
    now = clock.now()
    taught = events_taught_by(_principal(request))
    recent_from = now - timedelta(days=TRAINER_RECENT_DAYS)
    upcoming = [
        event_card(e, now) for e in taught.filter(last_end__gte=now).order_by("first_start")
    ]
    recent = [
        event_card(e, now) for e in taught.filter(last_end__lt=now, last_end__gte=recent_from)
    ]
    older = Paginator(taught.filter(last_end__lt=recent_from), TRAINER_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "events/trainer.html",
        {
            "upcoming": upcoming,
            "past": recent,
            "older": older,
            "older_cards": [event_card(e, now) for e in older.object_list],
            "recent_days": TRAINER_RECENT_DAYS,
        },
    )
