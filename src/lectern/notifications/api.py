"""Staff view of the outbox."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from lectern.core.permissions import get_visible, principal, require_staff
from lectern.core.schemas import refusals
from lectern.notifications.models import Message, MessageStatus
from lectern.notifications.selectors import messages_filtered

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    key: str
    to: str = Field(alias="recipient")
    subject: str
    status: str
    due_at: datetime
    sent_at: datetime | None
    attempts: int
    last_error: str
    object_type: str
    object_id: int


class NotificationDetailOut(NotificationOut):
    body_text: str
    body_html: str


@router.get("/notifications", response={200: list[NotificationOut], **refusals(403)})
@paginate
def notification_list(
    request: HttpRequest,
    email: str | None = None,
    kind: str | None = None,
    status: MessageStatus | None = None,
) -> Any:
    """Every email, newest due first; filter by recipient, kind and status."""
    require_staff(principal(request))
    return messages_filtered(email=email, kind=kind, status=status)


@router.get(
    "/notifications/{notification_id}", response={200: NotificationDetailOut, **refusals(403, 404)}
)
def notification_detail(request: HttpRequest, notification_id: int) -> Any:
    require_staff(principal(request))
    return get_visible(Message.objects.all(), notification_id, "notification")
