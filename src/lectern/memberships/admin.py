"""Back office for organisations and memberships. Every change goes through a service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path, reverse

from lectern.core.adminviews import (
    CheckedInputAdmin,
    ReadOnlyPageAdmin,
    form_errors_from,
    render_form,
    service_view,
)
from lectern.core.adminviews import actor as _actor
from lectern.core.errors import DomainError
from lectern.core.history import HistoryMixin, HistoryRow, audit_history, history_sorted
from lectern.memberships import services
from lectern.memberships.forms import (
    CodeResetForm,
    ContactForm,
    ExtendForm,
    MemberCreateForm,
    MemberImportForm,
    MembershipCreateForm,
    OrganizationForm,
    RolloverForm,
    SeatsForm,
)
from lectern.memberships.models import Membership, MembershipContact, Organization, SeatEntry


@admin.register(Organization)
class OrganizationAdmin(CheckedInputAdmin):
    form = OrganizationForm
    list_display = ["name", "country", "created_at"]
    search_fields = ["name", "domains"]
    list_filter = ["country"]
    readonly_fields = ["created_at"]

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.organization_create(
            actor=_actor(request), name=obj.name, country=str(obj.country), domains=obj.domains
        )
        obj.pk, obj.created_at = created.pk, created.created_at


class ContactInline(admin.TabularInline):
    model = MembershipContact
    extra = 0
    fields = readonly_fields = ("name", "email", "role")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LedgerInline(admin.TabularInline):
    """The seat ledger, read-only: entries are only added by services."""

    model = SeatEntry
    fk_name = "membership"
    extra = 0
    fields = readonly_fields = (
        "at",
        "kind",
        "source",
        "delta",
        "actor_label",
        "reason",
        "overdraw",
    )
    can_delete = False
    ordering = ["at", "id"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def ledger_history(entries: Any) -> list[HistoryRow]:
    """Seat-ledger entries as history rows."""
    return [
        HistoryRow(
            at=e.at,
            who=e.actor_label,
            what=f"seat {e.get_kind_display()} {e.delta:+d}"
            + (" (overdraw)" if e.overdraw else ""),
            why=e.reason,
            about=f"ledger{f' (registration {e.registration_id})' if e.registration_id else ''}",
        )
        for e in entries.order_by("at", "pk")[:1000]
    ]


@admin.register(Membership)
class MembershipAdmin(HistoryMixin, ReadOnlyPageAdmin):
    list_display = [
        "organization",
        "tier",
        "start_date",
        "end_date",
        "registration_code",
        "seats_granted",
        "seats_available",
    ]
    list_filter = ["tier", "start_date"]
    search_fields = ["organization__name", "registration_code", "contacts__email"]
    inlines = [ContactInline, LedgerInline]
    change_form_template = "admin/memberships/membership/change_form.html"
    fields = readonly_fields = (
        "organization",
        "consortium_list",
        "tier",
        "start_date",
        "end_date",
        "registration_code",
        "seats_granted",
        "seats_reserved",
        "seats_used",
        "seats_rolled_out",
        "seats_available",
        "rolled_over_from",
        "created_at",
    )

    def history_rows(self, obj: Membership) -> list[HistoryRow]:
        return history_sorted(
            audit_history([("membership", [obj.pk], "membership")]), ledger_history(obj.ledger)
        )

    @admin.display(description="Consortium")
    def consortium_list(self, obj: Membership) -> str:
        return ", ".join(o.name for o in obj.consortium.all()) or "-"

    @admin.display(description="Available")
    def seats_available(self, obj: Membership) -> int:
        return obj.seats_available

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        own = [
            path("create/", self.admin_site.admin_view(self.create_view), name="membership_create"),
            path("new-member/", self.admin_site.admin_view(self.member_view), name="member_create"),
            path("import/", self.admin_site.admin_view(self.import_view), name="member_import"),
            path(
                "<int:pk>/seats/",
                service_view(self, "Add or adjust seats", SeatsForm, self._seats),
                name="membership_seats",
            ),
            path(
                "<int:pk>/extend/",
                service_view(self, "Extend the end date", ExtendForm, self._extend),
                name="membership_extend",
            ),
            path(
                "<int:pk>/rollover/",
                service_view(self, "Roll seats over", RolloverForm, self._rollover),
                name="membership_rollover",
            ),
            path(
                "<int:pk>/contact/",
                service_view(self, "Add a contact", ContactForm, self._contact),
                name="membership_contact",
            ),
            path(
                "<int:pk>/code/",
                service_view(self, "Reset the registration code", CodeResetForm, self._code),
                name="membership_code",
            ),
        ]
        return own + super().get_urls()

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:membership_create"))

    def create_view(self, request: HttpRequest) -> HttpResponse:
        form = MembershipCreateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                membership = services.membership_create(
                    actor=_actor(request),
                    organization=data["organization"],
                    tier=data["tier"],
                    start_date=data["start_date"],
                    end_date=data["end_date"],
                    seats=data["seats"],
                    registration_code=data["registration_code"],
                    consortium=list(data["consortium"]),
                )
            except DomainError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(
                    request, f"Created {membership}, code {membership.registration_code}."
                )
                return HttpResponseRedirect(
                    reverse("admin:memberships_membership_change", args=[membership.pk])
                )
        return render_form(self, request, "Create a membership", form, None)

    def member_view(self, request: HttpRequest) -> HttpResponse:
        """Organisation, membership and coordinator in one form."""
        form = MemberCreateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                membership = services.member_create(actor=_actor(request), **form.cleaned_data)
            except DomainError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(
                    request,
                    f"Created {membership}, code {membership.registration_code}; "
                    f"{form.cleaned_data['coordinator_email']} was sent a welcome.",
                )
                return HttpResponseRedirect(
                    reverse("admin:memberships_membership_change", args=[membership.pk])
                )
        return render_form(self, request, "Add a member", form, None)

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Many members from a CSV: a preview with each line's refusal, then the same again
        with "Create them" ticked."""
        posted = request.method == "POST"
        form = MemberImportForm(request.POST, request.FILES) if posted else MemberImportForm()
        result = None
        if posted and form.is_valid():
            try:
                result = services.members_import(
                    actor=_actor(request),
                    text=form.cleaned_data["report"],
                    apply=form.cleaned_data["confirm"],
                )
            except DomainError as exc:
                form_errors_from(exc, form)
            else:
                if result.applied:
                    messages.success(
                        request,
                        f"Created {len(result.created)} members; "
                        f"{len(result.refused)} lines refused.",
                    )
        context = {
            **self.admin_site.each_context(request),
            "title": "Import members",
            "form": form,
            "result": result,
            "opts": self.model._meta,
        }
        return render(request, "admin/memberships/member_import.html", context)

    def _seats(self, request: HttpRequest, m: Membership, data: dict[str, Any]) -> Membership:
        return services.seats_add(
            actor=_actor(request),
            membership=m,
            delta=data["delta"],
            reason=data["reason"],
            adjustment=data["adjustment"] or None,
            allow_overdraw=data["allow_overdraw"],
        )

    def _extend(self, request: HttpRequest, m: Membership, data: dict[str, Any]) -> Membership:
        return services.membership_extend(
            actor=_actor(request), membership=m, end_date=data["end_date"], reason=data["reason"]
        )

    def _rollover(self, request: HttpRequest, m: Membership, data: dict[str, Any]) -> Membership:
        return services.seats_rollover(
            actor=_actor(request),
            membership=m,
            seats=data["seats"],
            start_date=data["start_date"],
            reason=data["reason"],
        )

    def _contact(self, request: HttpRequest, m: Membership, data: dict[str, Any]) -> Membership:
        services.contact_add(
            actor=_actor(request),
            membership=m,
            email=data["email"],
            name=data["name"],
            role=data["role"],
        )
        return m

    def _code(self, request: HttpRequest, m: Membership, data: dict[str, Any]) -> Membership:
        return services.registration_code_reset(
            actor=_actor(request), membership=m, code=data["code"] or None, reason=data["reason"]
        )
