"""Queue, move and cancel emails. Called by other services inside their own transaction.

Most kinds are written (rendered) when they are queued, from the values the caller has. A
kind that declares `write` (`notifications.kinds`) is only queued: one row, nothing
rendered, so the request that causes it does no more; the sender writes it when it goes
(`message_write`) from the object it is about, and keeps what it wrote, so that staff see
exactly what went out.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import translation

from lectern.core import clock
from lectern.core.rows import row_insert
from lectern.notifications.kinds import kind_get
from lectern.notifications.models import Attachment, Message, MessageStatus
from lectern.notifications.rendering import Snapshot, TemplateProblem, plain_context
from lectern.notifications.wording import LANGUAGES as WORDING_LANGUAGES
from lectern.notifications.wording import (
    Wording,
    wording_current,
    wording_default,
    wording_render,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class File:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Letter:
    """What a kind written when it is sent gives the sender: the values its wording reads,
    its files, and its language (default: the language of `context["event"]`)."""

    context: dict[str, Any]
    files: Sequence[File] = ()
    language: str = ""


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
    wordings: dict[tuple[str, str], Wording] | None = None,
) -> Rendered:
    """Render a kind's subject, plain-text and HTML wording (staff's version, or the code's
    templates) in the sandbox, over the context made plain (`notifications.rendering`).

    Only the HTML is escaped: a subject and a plain-text body are plain text, where
    "O'Brien & Co" must read as typed, never as "O&#x27;Brien &amp; Co".

    `wordings` keeps the wording read for each kind and language, for a caller that renders
    many emails at once (the sender).
    """
    declared = kind_get(kind)
    language = language if language in WORDING_LANGUAGES else "en"
    memo = {} if wordings is None else wordings
    wording = memo.get((kind, language)) or wording_current(declared, language)
    memo[kind, language] = wording
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
    context: dict[str, Any] | None = None,
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

    A kind written when it is sent (`Kind.write`) takes no `context` nor `attachments`: the
    row is queued unwritten, and `message_write` writes it when it goes.

    An undeclared kind raises `UnknownKind` (see `notifications/kinds.py`).
    """
    now = clock.resolve(now)
    if len(key) > Message.KEY_LENGTH:
        raise ValueError(f"a message key is at most {Message.KEY_LENGTH} characters: {key!r}")
    object_type, object_id = object_key(obj)
    message = Message(
        kind=kind,
        key=key,
        recipient=to.strip().lower(),
        recipient_name=name,
        object_type=object_type,
        object_id=object_id,
        due_at=due_at or now,
        expires_at=expires_at,
        created_at=now,
    )
    if kind_get(kind).write is not None:
        if context or attachments:
            raise ValueError(f"{kind} is written when it is sent, from its object: no values")
        message.written = False
    else:
        context = context or {}
        snapshot = Snapshot()
        language = email_language(context, language)
        rendered = render(
            kind, {**context, "recipient_name": name}, language=language, snapshot=snapshot
        )
        message.subject, message.body_text = rendered.subject, rendered.text
        message.body_html, message.template_version = rendered.html, rendered.version
        message.context = snapshot.values
    # Queued before, the unique (kind, object, recipient, key) says so: nothing is written.
    if row_insert(message, on_conflict="ON CONFLICT DO NOTHING") is None:
        return None
    _attach(message, attachments)
    return message


def _attach(message: Message, files: Sequence[File]) -> list[Attachment]:
    if not files:  # most emails: spare bulk_create's preparations
        return []
    return Attachment.objects.bulk_create(
        Attachment(
            message=message, filename=f.filename, content_type=f.content_type, content=f.content
        )
        for f in files
    )


def message_write(message: Message) -> Message:
    """Write an email of a kind written when it is sent: its kind's `write` gives the values
    and files from the object it is about, as it is now; the email is rendered from them and
    its subject, bodies, the values read and the files are stored with it. An email already
    written is left as it is."""
    failures = messages_write([message])
    if failures:
        raise failures[message.pk]
    return message


def messages_write(messages: Sequence[Message]) -> dict[int, Exception]:
    """`message_write` for many at once (the sender's batch): each kind's `write` reads the
    objects of all its messages together, and each wording is read once. The messages are
    written in place; those that could not be are returned with the reason, by id."""
    failures: dict[int, Exception] = {}
    wordings: dict[tuple[str, str], Wording] = {}
    kinds: dict[str, list[Message]] = {}
    for message in messages:
        if not message.written:
            kinds.setdefault(message.kind, []).append(message)
    for kind, group in kinds.items():
        write = kind_get(kind).write
        if write is None:  # no longer written when it is sent: nothing can write it
            failures.update({m.pk: ValueError(f"{kind} has no writer") for m in group})
            continue
        try:
            letters: list[Letter] | None = write(group)
        except Exception:
            letters = None  # one of them failed: write them one by one, to say which
        for n, message in enumerate(group):
            try:
                letter = letters[n] if letters is not None else write([message])[0]
                _write(message, letter, wordings)
            except Exception as exc:
                failures[message.pk] = exc
    return failures


def _write(message: Message, letter: Letter, wordings: dict[tuple[str, str], Wording]) -> None:
    snapshot = Snapshot()
    language = email_language(letter.context, letter.language)
    rendered = render(
        message.kind,
        {**letter.context, "recipient_name": message.recipient_name},
        language=language,
        snapshot=snapshot,
        wordings=wordings,
    )
    written = {
        "subject": rendered.subject,
        "body_text": rendered.text,
        "body_html": rendered.html,
        "template_version": rendered.version,
        "context": snapshot.values,
        "written": True,
    }
    with transaction.atomic():
        if not Message.objects.filter(pk=message.pk, written=False).update(**written):
            message.refresh_from_db()  # another sender wrote it meanwhile
            return
        files = _attach(message, letter.files)
    for field, value in written.items():
        setattr(message, field, value)
    attached = message.attachments.all()  # what the sender attaches: these, not read again
    attached._result_cache, attached._prefetch_done = files, True  # type: ignore[attr-defined]
    message._prefetched_objects_cache = {"attachments": attached}  # type: ignore[attr-defined]


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
    if kind_get(kind).write is not None:  # written when they go, from the object as it is then
        return pending_about(obj, [kind]).update(due_at=due_at, expires_at=expires_at)
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
