"""Back office for trainees, registrations and the waiting list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse

from lectern.core.adminviews import (
    CheckedInputAdmin,
    ServiceRecordAdmin,
    actor,
    form_errors_from,
    service_view,
)
from lectern.core.errors import DomainError
from lectern.core.forms import InputForm
from lectern.events.admin import EventAdmin
from lectern.events.forms import CancelForm
from lectern.events.models import Event
from lectern.registrations import services
from lectern.registrations.models import Registration, Trainee, WaitlistEntry
from lectern.registrations.services import messages as message_services


class EmergencyForm(InputForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    move_to_event_id = forms.IntegerField(
        required=False,
        label="Move to event (id)",
        help_text="Leave empty to release the seat instead.",
    )


class MoveForm(InputForm):
    event_id = forms.IntegerField(label="Event (id)")
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed to override a closed cutoff.",
    )


class WithdrawForm(InputForm):
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EventMessageForm(InputForm):
    audience = forms.ChoiceField(choices=list(message_services.AUDIENCES.items()))
    subject = forms.CharField(max_length=message_services.SUBJECT_MAX)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=message_services.BODY_MAX,
        help_text="Plain text, sent as written, with a greeting and the event's links.",
    )


@admin.register(Event)
class EventWithCancelAdmin(EventAdmin):
    """The event's back office, with cancelling (which cancels its registrations)."""

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/cancel/",
                service_view(self, "Cancel the event", CancelForm, self._cancel),
                name="event_cancel",
            ),
            path(
                "<int:pk>/message/",
                self.admin_site.admin_view(self.message_view),
                name="event_message",
            ),
            *super().get_urls(),
        ]

    def _cancel(self, request: HttpRequest, event: Event, data: dict[str, Any]) -> Event:
        return services.event_cancel(actor=actor(request), event=event, reason=data["reason"])

    def message_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Write to the event's people: "Preview" shows the recipient count and the email
        the first would get; "Send" queues it to all of them."""
        event = get_object_or_404(Event, pk=pk)
        form = EventMessageForm(request.POST or None)
        preview = None
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            arguments: dict[str, Any] = dict(
                audience=data["audience"], subject=data["subject"], body=data["body"]
            )
            try:
                if "send" in request.POST:
                    sent = message_services.event_message_send(
                        actor=actor(request), event=event, **arguments
                    )
                    messages.success(request, f"Message queued to {len(sent)} people.")
                    return HttpResponseRedirect(
                        reverse("admin:events_event_change", args=[event.pk])
                    )
                preview = message_services.event_message_preview(
                    actor=actor(request), event=event, **arguments
                )
            except DomainError as exc:
                form_errors_from(exc, form)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Write to the people of {event}",
            "form": form,
            "original": event,
            "opts": self.model._meta,
            "preview": preview,
        }
        return render(request, "admin/events/event/message_form.html", context)


@admin.register(Registration)
class RegistrationAdmin(ServiceRecordAdmin):
    list_display = ["trainee", "event", "membership", "status", "created_at", "changed_at"]
    list_filter = ["status"]
    search_fields = [
        "trainee__name",
        "trainee__email",
        "event__title",
        "membership__organization__name",
    ]
    list_select_related = ["trainee", "event", "membership__organization"]
    change_form_template = "admin/registrations/registration/change_form.html"
    fields = readonly_fields = (
        "trainee",
        "event",
        "membership",
        "status",
        "advisories",
        "override_reason",
        "submitted_details",
        "created_at",
        "changed_at",
    )
    actions = ["apply_submitted_details"]

    @admin.action(description="Make the details submitted with it the trainee's own")
    def apply_submitted_details(self, request: HttpRequest, queryset: Any) -> None:
        for registration in queryset.select_related("trainee"):
            try:
                services.trainee_details_apply(actor=actor(request), registration=registration)
            except DomainError as exc:
                self.message_user(request, f"{registration}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{registration.trainee}: details applied.")

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:pk>/emergency/",
                service_view(self, "Emergency exception", EmergencyForm, self._emergency),
                name="registration_emergency",
            ),
            path(
                "<int:pk>/move/",
                service_view(self, "Move to another event", MoveForm, self._move),
                name="registration_move",
            ),
            path(
                "<int:pk>/withdraw/",
                service_view(self, "Withdraw", WithdrawForm, self._withdraw),
                name="registration_withdraw",
            ),
            *super().get_urls(),
        ]

    def _emergency(
        self, request: HttpRequest, r: Registration, data: dict[str, Any]
    ) -> Registration:
        return services.registration_emergency(
            actor=actor(request),
            registration=r,
            reason=data["reason"],
            move_to_event_id=data["move_to_event_id"],
        )

    def _move(self, request: HttpRequest, r: Registration, data: dict[str, Any]) -> Registration:
        return services.registration_move(
            actor=actor(request), registration=r, event_id=data["event_id"], reason=data["reason"]
        )

    def _withdraw(
        self, request: HttpRequest, r: Registration, data: dict[str, Any]
    ) -> Registration:
        return services.registration_withdraw(
            actor=actor(request), registration=r, reason=data["reason"]
        )


@admin.register(Trainee)
class TraineeAdmin(CheckedInputAdmin):
    list_display = ["name", "email", "affiliation", "country", "created_at"]
    search_fields = ["name", "email", "affiliation"]
    list_filter = ["country", "usage_frequency"]
    actions = ["replace_personal_link"]

    @admin.action(description="Replace the personal link (the old one stops working)")
    def replace_personal_link(self, request: HttpRequest, queryset: Any) -> None:
        for trainee in queryset:
            try:
                services.trainee_link_replace(actor=actor(request), trainee=trainee)
            except DomainError as exc:
                self.message_user(request, f"{trainee}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{trainee}: a new personal link was emailed.")


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    list_display = ["trainee", "event", "status", "created_at", "offer_expires_at"]
    list_filter = ["status"]
    search_fields = ["trainee__email", "event__title"]
    fields = readonly_fields = (
        "trainee",
        "event",
        "membership",
        "status",
        "created_at",
        "offered_at",
        "offer_expires_at",
        "registration",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
