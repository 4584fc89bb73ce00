"""Back office for events: create and edit through the event services.

Cancelling changes registrations too, so its view is added where the registration services
are: `registrations/admin.py` registers the event admin with it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse

from lectern.core.adminviews import ReadOnlyPageAdmin, actor, form_errors_from, render_form
from lectern.core.errors import DomainError
from lectern.events import services
from lectern.events.forms import EventForm, EventFormatForm
from lectern.events.models import Event, Session
from lectern.events.selectors import event_warnings, registration_cutoff
from lectern.events.timezones import offset_label


def span(start: datetime, end: datetime) -> str:
    """`2027-02-11 13:00 - 17:00`, naming the end day when it is another day."""
    end_text = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%Y-%m-%d %H:%M}"
    return f"{start:%Y-%m-%d %H:%M} - {end_text}"


class SessionInline(admin.TabularInline):
    """Each session in the event's zone, as trainees see it, and in UTC."""

    model = Session
    extra = 0
    fields = readonly_fields = ("local_time", "utc_time")
    can_delete = False
    verbose_name_plural = "sessions (change them with “Edit event”)"

    @admin.display(description="In the event's time zone")
    def local_time(self, obj: Session) -> str:
        tz = ZoneInfo(obj.event.timezone)
        start, end = obj.start.astimezone(tz), obj.end.astimezone(tz)
        return f"{span(start, end)} {tz.key} ({offset_label(start)})"

    @admin.display(description="In UTC")
    def utc_time(self, obj: Session) -> str:
        return f"{span(obj.start.astimezone(UTC), obj.end.astimezone(UTC))} UTC"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class EventAdmin(ReadOnlyPageAdmin):
    list_display = [
        "title",
        "first_local_date",
        "timezone",
        "status",
        "capacity",
        "places_taken",
        "public",
        "run_regardless",
    ]
    list_filter = ["status", "public", "run_regardless", "timezone"]
    search_fields = ["title"]
    date_hierarchy = "first_start"
    inlines = [SessionInline]
    change_form_template = "admin/events/event/change_form.html"
    fields = readonly_fields = (
        "title",
        "timezone",
        "status",
        "capacity",
        "min_enrolment",
        "places_taken",
        "registration_closes_at",
        "trainer_list",
        "meeting_url",
        "preparation_notes",
        "language",
        "public",
        "membership",
        "run_regardless",
        "cancel_reason",
        "cancelled_at",
        "created_at",
    )

    @admin.display(description="Registration closes")
    def registration_closes_at(self, obj: Event) -> str:
        cutoff = registration_cutoff(obj)
        local = cutoff.astimezone(ZoneInfo(obj.timezone))
        return (
            f"{local:%Y-%m-%d %H:%M} {obj.timezone} ({cutoff.astimezone(UTC):%Y-%m-%d %H:%M} UTC)"
        )

    @admin.display(description="Trainers")
    def trainer_list(self, obj: Event) -> str:
        return ", ".join(t.get_full_name() for t in obj.trainers.all()) or "-"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        return [
            path("create/", self.admin_site.admin_view(self.edit_view), name="event_create"),
            path("<int:pk>/edit/", self.admin_site.admin_view(self.edit_view), name="event_edit"),
            path(
                "<int:pk>/duplicate/",
                self.admin_site.admin_view(self.duplicate_view),
                name="event_duplicate",
            ),
            path("from-format/", self.admin_site.admin_view(self.format_view), name="event_format"),
            *super().get_urls(),
        ]

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:event_create"))

    def edit_view(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        event = get_object_or_404(Event, pk=pk) if pk else None
        initial = EventForm.initial_for(event) if event else {}
        form = EventForm(request.POST or None, initial=initial)
        title = f"Edit {event}" if event else "Schedule an event"
        return self._save(request, form, event, title)

    def duplicate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """The create form filled in from another event: change the dates and save."""
        source = get_object_or_404(Event, pk=pk)
        form = EventForm(request.POST or None, initial=EventForm.initial_for(source))
        return self._save(request, form, None, f"Duplicate {source}")

    def format_view(self, request: HttpRequest) -> HttpResponse:
        """One event from a format, or the same event on several first dates at once (all
        or none: a refusal names the date it is about)."""
        form = EventFormatForm(request.POST or None)
        title = "Schedule an event from a format"
        if not (request.method == "POST" and form.is_valid() and form.cleaned_data["more_dates"]):
            return self._save(request, form, None, title)
        data = form.cleaned_data
        created: list[Event] = []
        try:
            with transaction.atomic():
                for sessions in (data["sessions"], *data["more_sessions"]):
                    first = sessions[0].start[:10]
                    try:
                        created.append(self._create(request, data, sessions))
                    except DomainError as exc:
                        form.add_error(
                            "more_dates" if created else "first_date",
                            f"{first}: {exc.explained()}",
                        )
                        raise
        except DomainError:
            return render_form(self, request, title, form, None)
        messages.success(
            request, f"Scheduled {len(created)} events: " + ", ".join(map(str, created)) + "."
        )
        for event in created:
            for warning in event_warnings(event):
                messages.warning(request, f"{event}: {warning}")
        return HttpResponseRedirect(reverse("admin:events_event_changelist"))

    @staticmethod
    def _fields(data: dict[str, Any]) -> dict[str, Any]:
        keys = ("title", "capacity", "min_enrolment", "meeting_url", "preparation_notes")
        more = ("language", "public", "run_regardless")
        return {k: data[k] for k in (*keys, *more)}

    def _create(self, request: HttpRequest, data: dict[str, Any], sessions: Any) -> Event:
        return services.event_create(
            actor=actor(request),
            timezone=data["timezone"],
            sessions=sessions,
            membership=data["membership"],
            trainer_ids=[t.pk for t in data["trainers"]],
            **self._fields(data),
        )

    def _save(
        self, request: HttpRequest, form: EventForm, event: Event | None, title: str
    ) -> HttpResponse:
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if event is None:
                    event = self._create(request, data, data["sessions"])
                else:
                    services.event_update(
                        actor=actor(request),
                        event=event,
                        changes={
                            **self._fields(data),
                            "timezone": data["timezone"],
                            "sessions": data["sessions"],
                            "membership": data["membership"],
                            "trainer_ids": [t.pk for t in data["trainers"]],
                        },
                        reason=data["change_reason"],
                    )
            except DomainError as exc:
                form_errors_from(exc, form, aliases={"reason": "change_reason"})
            else:
                messages.success(request, f"Saved {event}.")
                for warning in event_warnings(event):
                    messages.warning(request, warning)
                return HttpResponseRedirect(reverse("admin:events_event_change", args=[event.pk]))
        return render_form(self, request, title, form, event)
