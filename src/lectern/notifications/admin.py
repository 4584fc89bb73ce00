"""Staff see every email and its status; failed ones can be sent again."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from lectern.core import clock
from lectern.core.adminviews import ServiceRecordAdmin
from lectern.notifications.models import Attachment, Message, MessageStatus


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
        "subject",
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
        "body_text",
        "rendered_html",
    )

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
