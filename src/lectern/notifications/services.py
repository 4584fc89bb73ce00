"""Queue, move and cancel emails. Called by other services inside their own transaction."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.utils import translation

from lectern.core import clock
from lectern.notifications.kinds import kind_get
from lectern.notifications.models import Attachment, Message, MessageStatus
from lectern.notifications.rendering import Snapshot, TemplateProblem, plain_context
from lectern.notifications.wording import LANGUAGES as WORDING_LANGUAGES
from lectern.notifications.wording import wording_current, wording_default, wording_render

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class File:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str
    version: int | None = None  # the staff wording's version; None: the code's templates


def render(
    kind: str,
    context: dict[str, Any],
    *,
    language: str = "en",
    snapshot: Snapshot | None = None,
) -> Rendered:
    """Render a kind's subject, plain-text and HTML wording (staff's version, or the code's
    templates) in the sandbox, over the context made plain (`notifications.rendering`).

    Only the HTML is escaped: a subject and a plain-text body are plain text, where
    "O'Brien & Co" must read as typed, never as "O&#x27;Brien &amp; Co".
    """
    declared = kind_get(kind)
    language = language if language in WORDING_LANGUAGES else "en"
    wording = wording_current(declared, language)
    full = {"programme_name": settings.PROGRAMME_NAME, "base_url": settings.BASE_URL, **context}
    # The default wording is one template per kind with `{% translate %}` in it; dates and
    # day names follow the same language (`events.timezones.day_text`).
    with translation.override(language):
        try:
            parts = wording_render(wording, plain_context(full, snapshot))
        except TemplateProblem as exc:
            if not wording.customised:
                raise
            # Staff wording rendered on its save; if these values trip it, the email still
            # goes, in the code's wording, and the problem is logged for staff to fix.
            logger.error("wording %s v%s failed, default used: %s", kind, wording.version, exc)
            wording = wording_default(declared, language)
            parts = wording_render(wording, plain_context(full, snapshot))
    subject = parts.subject[: Message._meta.get_field("subject").max_length]
    return Rendered(subject=subject, text=parts.text, html=parts.html, version=wording.version)


def object_key(obj: models.Model) -> tuple[str, int]:
    assert obj.pk is not None
    return obj._meta.model_name or type(obj).__name__.lower(), int(obj.pk)


def email_language(context: dict[str, Any], language: str = "") -> str:
    """The language an email is written in: the one given, else its event's, else English."""
    return language or getattr(context.get("event"), "language", "") or "en"


def recipient_language() -> str:
    """For an email not about one event that a person asked for (a sign-in link, their
    personal link): the language of the page, or API request, they asked from. Outside a
    request (the scheduler, a command) this is the default language, English."""
    active = (translation.get_language() or "en").split("-")[0]
    return active if active in WORDING_LANGUAGES else "en"


def message_queue(
    *,
    kind: str,
    to: str,
    obj: models.Model,
    context: dict[str, Any],
    key: str = "",
    name: str = "",
    due_at: datetime | None = None,
    expires_at: datetime | None = None,
    attachments: Sequence[File] = (),
    now: datetime | None = None,
    language: str = "",
) -> Message | None:
    """Write an email to send at `due_at` (default: now). Return None if it exists already:
    each (kind, object, recipient, key) is written, and sent, at most once.

    `key` is what makes a second email of this kind about this object to this person
    legitimate, and nothing else: the quarter of a suggestion, the months of a check-in, the
    deadline a checkout reminder is for. Kinds to come use it for a result's revision, a
    change's sequence, a sign-in request, a staff message's id. Leave it empty for an email
    that is sent once and for all (a registration's confirmation).

    `language` is the email's language; by default the language of the event the context
    is about (`context["event"].language`), else English (`email_language`).

    An undeclared kind raises `UnknownKind` (see `notifications/kinds.py`).
    """
    now = clock.resolve(now)
    if len(key) > Message.KEY_LENGTH:
        raise ValueError(f"a message key is at most {Message.KEY_LENGTH} characters: {key!r}")
    object_type, object_id = object_key(obj)
    to = to.strip().lower()
    snapshot = Snapshot()
    language = email_language(context, language)
    rendered = render(
        kind, {**context, "recipient_name": name}, language=language, snapshot=snapshot
    )
    try:
        with transaction.atomic():
            message = Message.objects.create(
                kind=kind,
                key=key,
                recipient=to,
                recipient_name=name,
                object_type=object_type,
                object_id=object_id,
                subject=rendered.subject,
                body_text=rendered.text,
                body_html=rendered.html,
                template_version=rendered.version,
                context=snapshot.values,
                due_at=due_at or now,
                expires_at=expires_at,
                created_at=now,
            )
    except IntegrityError:
        return None  # queued before: the unique (kind, object, recipient, key) says so
    Attachment.objects.bulk_create(
        Attachment(
            message=message, filename=f.filename, content_type=f.content_type, content=f.content
        )
        for f in attachments
    )
    return message


def pending_about(obj: models.Model, kinds: Iterable[str]) -> models.QuerySet[Message]:
    object_type, object_id = object_key(obj)
    return Message.objects.filter(
        object_type=object_type,
        object_id=object_id,
        kind__in=[kind_get(kind).name for kind in kinds],
        status=MessageStatus.PENDING,
    )


def messages_cancel(*, obj: models.Model, kinds: Iterable[str], reason: str) -> int:
    """Cancel the pending emails of these kinds about `obj` (e.g. a cancelled event's)."""
    return pending_about(obj, kinds).update(
        status=MessageStatus.CANCELLED, last_error=reason, claimed_until=None
    )


def messages_reschedule(
    *,
    obj: models.Model,
    kind: str,
    due_at: datetime,
    expires_at: datetime | None,
    context: dict[str, Any],
) -> int:
    """Move the pending emails of a kind about `obj` and write them again with `context`
    (e.g. a rescheduled event's reminders, which must show the new times)."""
    moved = 0
    for message in pending_about(obj, [kind]):
        snapshot = Snapshot()
        rendered = render(
            kind,
            {**context, "recipient_name": message.recipient_name},
            language=email_language(context),
            snapshot=snapshot,
        )
        moved += Message.objects.filter(pk=message.pk, status=MessageStatus.PENDING).update(
            due_at=due_at,
            expires_at=expires_at,
            subject=rendered.subject,
            body_text=rendered.text,
            body_html=rendered.html,
            template_version=rendered.version,
            context=snapshot.values,
        )
    return moved
