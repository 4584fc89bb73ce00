"""Staff see every email and its status; failed ones can be sent again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import URLPattern, path
from django.utils.html import format_html

from lectern.core import clock
from lectern.core.adminviews import ServiceRecordAdmin, actor, form_errors_from
from lectern.core.errors import DomainError
from lectern.notifications import wording
from lectern.notifications.kinds import UnknownKind, kind_get
from lectern.notifications.models import Attachment, Message, MessageStatus, MessageTemplate


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = readonly_fields = ("filename", "content_type")
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Message)
class MessageAdmin(ServiceRecordAdmin):
    list_display = [
        "due_at",
        "kind",
        "key",
        "recipient",
        "subject_shown",
        "status",
        "attempts",
        "sent_at",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["recipient", "subject"]
    date_hierarchy = "due_at"
    inlines = [AttachmentInline]
    actions = ["send_again"]
    fields = readonly_fields = (
        "kind",
        "key",
        "recipient",
        "recipient_name",
        "object_type",
        "object_id",
        "subject",
        "status",
        "due_at",
        "expires_at",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
        "claimed_until",
        "written",
        "template_version",
        "body_text",
        "rendered_html",
    )

    @admin.display(description="subject", ordering="subject")
    def subject_shown(self, obj: Message) -> str:
        if obj.written:
            return obj.subject
        if obj.status == MessageStatus.CANCELLED:
            return "(cancelled before it was written)"
        return "(written when it is sent)"

    @admin.display(description="HTML body")
    def rendered_html(self, obj: Message) -> str:
        return format_html(
            '<iframe sandbox title="HTML body" srcdoc="{}" style="width:100%;height:24rem;'
            'border:1px solid #ccc"></iframe>',
            obj.body_html,
        )

    @admin.action(description="Send the selected failed emails again")
    def send_again(self, request: HttpRequest, queryset: QuerySet[Message]) -> None:
        count = queryset.filter(status=MessageStatus.FAILED).update(
            status=MessageStatus.PENDING, attempts=0, due_at=clock.now(), claimed_until=None
        )
        messages.success(request, f"{count} email(s) will be sent again.")


class WordingForm(forms.Form):
    subject = forms.CharField(widget=forms.Textarea(attrs={"rows": 2, "cols": 100}))
    body_text = forms.CharField(
        label="Text", widget=forms.Textarea(attrs={"rows": 18, "cols": 100})
    )
    body_html = forms.CharField(
        label="HTML",
        required=False,
        widget=forms.Textarea(attrs={"rows": 18, "cols": 100}),
        help_text="Empty: the text, in the emails' layout.",
    )


@admin.register(MessageTemplate)
class MessageTemplateAdmin(ServiceRecordAdmin):
    """The wording of every kind of email: edit, preview on a real email, history, reset."""

    list_display = ["kind", "language", "version", "customised", "created_at", "created_by"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_staff)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<str:kind>/<str:language>/edit/",
                self.admin_site.admin_view(self.edit_view),
                name="message_template_edit",
            ),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": "Wording of emails",
            "opts": self.model._meta,
            "rows": [(kind_get(w.kind), w) for w in wording.message_templates()],
        }
        return render(request, "admin/notifications/messagetemplate/kinds.html", context)

    def edit_view(self, request: HttpRequest, kind: str, language: str) -> HttpResponse:
        caller = actor(request)
        try:
            current = wording.wording_current(kind_get(kind), language)
        except UnknownKind:
            raise Http404("no such kind of email") from None
        initial = {
            "subject": current.subject,
            "body_text": current.body_text,
            "body_html": current.body_html,
        }
        form = WordingForm(request.POST or None, initial=initial)
        preview = None
        try:
            if request.method == "POST" and "reset" in request.POST:
                wording.message_template_reset(actor=caller, kind=kind, language=language)
                messages.success(request, "Reset: the default wording is in use again.")
                return HttpResponseRedirect(request.path)
            if request.method == "POST" and form.is_valid():
                data = form.cleaned_data
                if "save" in request.POST:
                    saved = wording.message_template_save(
                        actor=caller, kind=kind, language=language, **data
                    )
                    messages.success(request, f"Saved version {saved.version}.")
                    return HttpResponseRedirect(request.path)
                preview = wording.message_template_preview(
                    actor=caller, kind=kind, language=language, **data
                )
            elif request.method == "GET":
                preview = wording.message_template_preview(
                    actor=caller, kind=kind, language=language
                )
        except DomainError as exc:
            form_errors_from(exc, form)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Wording: {kind_get(kind).label} ({language})",
            "opts": self.model._meta,
            "form": form,
            "current": current,
            "preview": preview,
            "history": wording.message_template_history(kind, language),
        }
        return render(request, "admin/notifications/messagetemplate/edit.html", context)
