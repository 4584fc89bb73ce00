"""Back office for trainees, registrations and the waiting list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path, reverse

from lectern.certificates.models import Certificate
from lectern.checkout.models import Checkout
from lectern.core import clock
from lectern.core.adminviews import (
    CheckedInputAdmin,
    ReadOnlyPageAdmin,
    ServiceRecordAdmin,
    actor,
    form_errors_from,
    render_form,
    service_view,
)
from lectern.core.bulk import bulk_action
from lectern.core.errors import DomainError
from lectern.core.forms import InputForm
from lectern.core.history import HistoryMixin, HistoryRow, audit_history, history_sorted
from lectern.events.admin import EventAdmin
from lectern.events.deadlines import REGISTRATION_CUTOFF
from lectern.events.forms import CancelForm
from lectern.events.models import Event, EventStatus
from lectern.memberships.admin import ledger_history
from lectern.memberships.models import Membership, SeatEntry
from lectern.registrations import services
from lectern.registrations.forms import RegistrationForm
from lectern.registrations.models import Registration, Trainee, WaitlistEntry
from lectern.registrations.services import messages as message_services


class EventChoiceField(forms.ModelChoiceField):
    """A chooser of future scheduled events, with their date, zone and places left (instead
    of an id typed by hand)."""

    def __init__(self, **kwargs: Any) -> None:
        events = Event.objects.filter(
            status=EventStatus.SCHEDULED, first_start__gt=clock.now()
        ).order_by("first_start")
        super().__init__(queryset=events, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        open_ = "open" if not REGISTRATION_CUTOFF.passed(obj, clock.now()) else "cutoff passed"
        left = obj.capacity - obj.places_taken
        return (
            f"{obj.title}, {obj.first_local_date:%d %b %Y} ({obj.timezone}): "
            f"{left} place{'s' if left != 1 else ''} left, {open_} [#{obj.pk}]"
        )


class OnBehalfForm(RegistrationForm):
    """Staff register someone: the membership instead of its code, and a reason that
    lets the registration through a closed cutoff, a past event or an inactive membership
    (never through capacity or seats)."""

    event = forms.ModelChoiceField(
        queryset=Event.objects.exclude(status=EventStatus.CANCELLED).order_by("-first_start"),
        help_text="Past events too, with a reason (history import).",
    )
    membership = forms.ModelChoiceField(
        queryset=Membership.objects.select_related("organization").order_by(
            "organization__name", "-start_date"
        ),
        help_text="Whose seat the registration takes.",
    )
    override_reason = forms.CharField(
        required=False,
        label="Override reason",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed when a rule is overridden (cutoff passed, past event, membership not "
        "active, too many withdrawals); recorded with the registration.",
    )
    field_order = ["event", "membership"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["code"]
        self.fields["accept_code_of_conduct"].label = "They agreed to the code of conduct"
        self.fields["accept_privacy"].label = "They agreed to the privacy policy"
        self.fields["name"].label = "Name"


class BulkMoveForm(InputForm):
    event = EventChoiceField(label="Move to")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded with each move; lets staff through a closed cutoff.",
    )


class ResendForm(InputForm):
    reason = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="Recorded."
    )


def _registration_state(r: Registration) -> str:
    return f"{r.get_status_display()} at {r.event.title} ({r.event.first_local_date:%d %b %Y})"


class EmergencyForm(InputForm):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    move_to_event = EventChoiceField(
        required=False,
        label="Move to event",
        help_text="Leave empty to release the seat instead.",
    )


class MoveForm(InputForm):
    event = EventChoiceField(label="Move to")
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
class EventWithCancelAdmin(HistoryMixin, EventAdmin):
    """The event's back office, with cancelling (which cancels its registrations)."""

    def history_rows(self, obj: Event) -> list[HistoryRow]:
        return history_sorted(audit_history([("event", [obj.pk], "event")]))

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
class RegistrationAdmin(HistoryMixin, ServiceRecordAdmin):
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
    actions = ["apply_submitted_details", "move_registrations", "resend_emails"]

    move_registrations = bulk_action(
        name="move_registrations",
        description="Move to another event",
        form_class=BulkMoveForm,
        run=lambda request, r, data: services.registration_move(
            actor=actor(request), registration=r, event_id=data["event"].pk, reason=data["reason"]
        ),
        state=_registration_state,
    )
    resend_emails = bulk_action(
        name="resend_emails",
        description="Send their email again (confirmation, or request for details)",
        form_class=ResendForm,
        run=lambda request, r, data: services.registration_email_resend(
            actor=actor(request), registration=r, reason=data["reason"]
        ),
        state=_registration_state,
    )

    def history_rows(self, obj: Registration) -> list[HistoryRow]:
        return history_sorted(
            audit_history([("registration", [obj.pk], "registration")]),
            ledger_history(SeatEntry.objects.filter(registration_id=obj.pk)),
        )

    @admin.action(description="Make the details submitted with it the trainee's own")
    def apply_submitted_details(self, request: HttpRequest, queryset: Any) -> None:
        for registration in queryset.select_related("trainee"):
            try:
                services.trainee_details_apply(actor=actor(request), registration=registration)
            except DomainError as exc:
                self.message_user(request, f"{registration}: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"{registration.trainee}: details applied.")

    def register_view(self, request: HttpRequest) -> HttpResponse:
        """Register someone on their behalf, with the override reason when a rule is
        overridden; the trainee gets the usual confirmation."""
        form = OnBehalfForm(request.POST or None, initial=request.GET.dict() or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                created = services.registration_create(
                    actor=actor(request),
                    event_id=data["event"].pk,
                    code=data["membership"].registration_code,
                    details=form.details(),
                    override_reason=data["override_reason"],
                )
            except DomainError as exc:
                form_errors_from(exc, form, aliases={"event_id": "event", "code": "membership"})
            else:
                messages.success(request, f"Registered {created.registration.trainee}.")
                return HttpResponseRedirect(
                    reverse(
                        "admin:registrations_registration_change",
                        args=[created.registration.pk],
                    )
                )
        return render_form(self, request, "Register someone on their behalf", form, None)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "register/",
                self.admin_site.admin_view(self.register_view),
                name="registration_on_behalf",
            ),
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
            move_to_event_id=data["move_to_event"].pk if data["move_to_event"] else None,
        )

    def _move(self, request: HttpRequest, r: Registration, data: dict[str, Any]) -> Registration:
        return services.registration_move(
            actor=actor(request), registration=r, event_id=data["event"].pk, reason=data["reason"]
        )

    def _withdraw(
        self, request: HttpRequest, r: Registration, data: dict[str, Any]
    ) -> Registration:
        return services.registration_withdraw(
            actor=actor(request), registration=r, reason=data["reason"]
        )


@admin.register(Trainee)
class TraineeAdmin(HistoryMixin, CheckedInputAdmin):
    list_display = ["name", "email", "affiliation", "country", "created_at"]
    search_fields = ["name", "email", "affiliation"]
    list_filter = ["country", "usage_frequency"]
    actions = ["replace_personal_link"]

    def history_rows(self, obj: Trainee) -> list[HistoryRow]:
        registrations = list(obj.registrations.values_list("pk", flat=True))
        checkouts = Checkout.objects.filter(trainee=obj).values_list("pk", flat=True)
        certificates = Certificate.objects.filter(trainee=obj).values_list("pk", flat=True)
        return history_sorted(
            audit_history(
                [
                    ("trainee", [obj.pk], "trainee"),
                    ("registration", registrations, "registration"),
                    ("checkout", checkouts, "checkout"),
                    ("certificate", certificates, "certificate"),
                ]
            ),
            ledger_history(SeatEntry.objects.filter(registration_id__in=registrations)),
        )

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
class WaitlistEntryAdmin(ReadOnlyPageAdmin):
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
