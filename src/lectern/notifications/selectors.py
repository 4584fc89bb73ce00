from __future__ import annotations

from django.db.models import QuerySet

from lectern.notifications.models import Message


def messages_filtered(
    *, email: str | None = None, kind: str | None = None, status: str | None = None
) -> QuerySet[Message]:
    messages = Message.objects.all()
    if email:
        messages = messages.filter(recipient=email.strip().lower())
    if kind:
        messages = messages.filter(kind=kind)
    if status:
        messages = messages.filter(status=status)
    return messages.order_by("-due_at", "-id")
