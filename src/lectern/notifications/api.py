"""Staff view of the outbox."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from lectern.core.permissions import get_visible, principal, require_staff
from lectern.core.schemas import Line, refusals
from lectern.notifications import wording
from lectern.notifications.kinds import kind_get
from lectern.notifications.models import Message, MessageStatus, MessageTemplate
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
    written: bool = Field(
        description="False until the sender writes it (a kind written when it is sent): "
        "subject and bodies are empty until then"
    )


class NotificationDetailOut(NotificationOut):
    body_text: str
    body_html: str
    template_version: int | None = Field(description="Staff wording's version; null: default")


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


class MessageTemplateOut(Schema):
    kind: str
    language: str
    subject: str
    body_text: str
    body_html: str
    version: int = Field(description="0: the code's templates, never edited")
    customised: bool


class MessageTemplateIn(Schema):
    # Templates are Django template source (not the one-line text of other fields).
    subject: str = Field(max_length=2000)
    body_text: str = Field(max_length=100_000)
    body_html: str = Field("", max_length=200_000, description="Empty: the text, as HTML")
    language: Line = Field("en", max_length=16)


class MessageTemplatePreviewIn(Schema):
    subject: str | None = Field(None, max_length=2000)
    body_text: str | None = Field(None, max_length=100_000)
    body_html: str | None = Field(None, max_length=200_000)
    language: Line = Field("en", max_length=16)


class PreviewOut(Schema):
    subject: str
    body_text: str
    body_html: str


def _template_out(current: wording.Wording) -> dict[str, Any]:
    return {
        "kind": current.kind,
        "language": current.language,
        "subject": current.subject,
        "body_text": current.body_text,
        "body_html": current.body_html,
        "version": current.version or 0,
        "customised": current.customised,
    }


def _saved_out(saved: MessageTemplate) -> dict[str, Any]:
    kind = kind_get(saved.kind)
    return _template_out(wording.wording_current(kind, saved.language))


@router.get(
    "/message-templates",
    tags=["message templates"],
    response={200: list[MessageTemplateOut], **refusals(403)},
)
def message_template_list(request: HttpRequest, language: str | None = None) -> Any:
    """Every kind's wording in use, per language: staff's newest version or the code's."""
    require_staff(principal(request))
    return [_template_out(w) for w in wording.message_templates(language)]


@router.put(
    "/message-templates/{kind}",
    tags=["message templates"],
    response={200: MessageTemplateOut, **refusals(403, 404)},
)
def message_template_put(request: HttpRequest, kind: str, payload: MessageTemplateIn) -> Any:
    """Save a new version of a kind's wording; emails of that kind queued afterwards use it.
    A wording that does not render is 422 `validation_error`, naming the part and line."""
    saved = wording.message_template_save(
        actor=principal(request),
        kind=kind,
        subject=payload.subject,
        body_text=payload.body_text,
        body_html=payload.body_html,
        language=payload.language,
    )
    return _saved_out(saved)


@router.delete(
    "/message-templates/{kind}",
    tags=["message templates"],
    response={200: MessageTemplateOut, **refusals(403, 404)},
)
def message_template_reset(request: HttpRequest, kind: str, language: str = "en") -> Any:
    """Reset to the code's templates (a new version: the history stays)."""
    saved = wording.message_template_reset(actor=principal(request), kind=kind, language=language)
    return _saved_out(saved)


@router.post(
    "/message-templates/{kind}/preview",
    tags=["message templates"],
    response={200: PreviewOut, **refusals(403, 404)},
)
def message_template_preview(
    request: HttpRequest, kind: str, payload: MessageTemplatePreviewIn | None = None
) -> Any:
    """The wording in use (or the one in the body) rendered on the latest real email of the
    kind."""
    body = payload or MessageTemplatePreviewIn.model_validate({})
    parts = wording.message_template_preview(
        actor=principal(request),
        kind=kind,
        language=body.language,
        subject=body.subject,
        body_text=body.body_text,
        body_html=body.body_html,
    )
    return {"subject": parts.subject, "body_text": parts.text, "body_html": parts.html}
