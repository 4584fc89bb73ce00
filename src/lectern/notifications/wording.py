"""The wording of each kind of email: the code's templates by default, or staff's versions.

Staff edit a kind's subject, text and HTML per language; each save is a new version
(`MessageTemplate`), the newest in use; "reset" writes a version that returns to the code's
templates, so the history stays whole. A wording that does not compile, or does not render on
a real example, is refused with its line (`validation_error` on the part that failed).
Everything is rendered in the sandbox of `notifications.rendering`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.template import Template
from django.utils import translation

from lectern.core import clock
from lectern.core.errors import Invalid, NotFound
from lectern.core.permissions import Principal, require_staff
from lectern.notifications.kinds import Kind, kind_get, kinds_all
from lectern.notifications.models import Message, MessageTemplate
from lectern.notifications.rendering import (
    TemplateProblem,
    compile_template,
    default_source,
    engine,
    render_source,
    revive,
)

LANGUAGES = ("en", "es")  # settings.LANGUAGES: the wording is translated into each
PARTS = ("subject", "body_text", "body_html")
FILES = {"subject": "subject.txt", "body_text": "body.txt", "body_html": "body.html"}
TEXT_AS_HTML = (
    '{% extends "notifications/base.html" %}{% block content %}'
    "{{ wording_text|linebreaks }}{% endblock %}"
)


@dataclass(frozen=True)
class Wording:
    kind: str
    language: str
    subject: str
    body_text: str
    body_html: str  # empty: the HTML is the text, in the emails' layout
    version: int | None  # None: the code's templates, never edited
    customised: bool


def wording_default(kind: Kind, language: str = "en") -> Wording:
    folder = kind.templates
    return Wording(
        kind=kind.name,
        language=language,
        subject=default_source(folder, FILES["subject"]),
        body_text=default_source(folder, FILES["body_text"]),
        body_html=default_source(folder, FILES["body_html"]),
        version=None,
        customised=False,
    )


def wording_current(kind: Kind, language: str = "en") -> Wording:
    latest = (
        MessageTemplate.objects.filter(kind=kind.name, language=language)
        .order_by("-version")
        .first()
    )
    if latest is None:
        return wording_default(kind, language)
    if not latest.customised:
        return _with_version(wording_default(kind, language), latest.version)
    return Wording(
        kind=kind.name,
        language=language,
        subject=latest.subject,
        body_text=latest.body_text,
        body_html=latest.body_html,
        version=latest.version,
        customised=True,
    )


def _with_version(wording: Wording, version: int) -> Wording:
    return Wording(**{**wording.__dict__, "version": version})


@lru_cache(maxsize=512)
def _compiled(source: str) -> Template:
    return compile_template(source)


def _template(wording: Wording, part: str) -> Template:
    if not wording.customised:  # the code's file, through the engine's cached loader
        folder = kind_get(wording.kind).templates
        return engine().get_template(f"notifications/{folder}/{FILES[part]}")
    return _compiled(getattr(wording, part) or (TEXT_AS_HTML if part == "body_html" else ""))


@dataclass(frozen=True)
class Parts:
    subject: str
    text: str
    html: str


def wording_render(wording: Wording, values: dict[str, Any]) -> Parts:
    """Render the three parts over plain values; `TemplateProblem` names the failing line."""
    subject = render_source(_template(wording, "subject"), values, html=False)
    text = render_source(_template(wording, "body_text"), values, html=False)
    html = render_source(
        _template(wording, "body_html"), {**values, "wording_text": text}, html=True
    )
    return Parts(" ".join(subject.split()), text, html)


def example_values(kind: str) -> dict[str, Any]:
    """The values the latest real message of this kind read, for previews."""
    latest = (
        Message.objects.filter(kind=kind).exclude(context={}).order_by("-created_at", "-id").first()
    )
    return revive(latest.context) if latest is not None else {}


def _kind(name: str) -> Kind:
    names = {k.name for k in kinds_all()}
    if name not in names:
        raise NotFound(f"There is no kind of email {name!r}.")
    return kind_get(name)


def _language(language: str) -> str:
    language = (language or "en").strip().lower()
    if language not in LANGUAGES:
        raise Invalid.field("language", f"Choose one of {', '.join(LANGUAGES)}.")
    return language


def _checked(wording: Wording) -> Parts:
    """Compile every part and render it on the real example; refuse the first that fails."""
    for part in PARTS:
        source = getattr(wording, part)
        if part == "subject" and not source.strip():
            raise Invalid.field("subject", "Give the subject.")
        if part == "body_text" and not source.strip():
            raise Invalid.field("body_text", "Give the text.")
        try:
            _compiled(source or (TEXT_AS_HTML if part == "body_html" else ""))
        except TemplateProblem as exc:
            raise Invalid.field(part, str(exc)) from None
    values = {**_base_values(), **example_values(wording.kind)}
    rendered: dict[str, str] = {}
    with translation.override(wording.language):  # as its emails will read
        for part in PARTS:
            extra = {"wording_text": rendered.get("body_text", "")} if part == "body_html" else {}
            try:
                rendered[part] = render_source(
                    _template(wording, part), {**values, **extra}, html=part == "body_html"
                )
            except TemplateProblem as exc:
                raise Invalid.field(part, str(exc)) from None
    return Parts(
        " ".join(rendered["subject"].split()), rendered["body_text"], rendered["body_html"]
    )


def _base_values() -> dict[str, Any]:
    from django.conf import settings

    return {"programme_name": settings.PROGRAMME_NAME, "base_url": settings.BASE_URL}


def _next_version(kind: str, language: str) -> int:
    latest = MessageTemplate.objects.filter(kind=kind, language=language).aggregate(
        v=Max("version")
    )["v"]
    return (latest or 0) + 1


@transaction.atomic
def message_template_save(
    *,
    actor: Principal,
    kind: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    language: str = "en",
    now: datetime | None = None,
) -> MessageTemplate:
    """Save a new version of a kind's wording; emails of that kind queued afterwards use it."""
    require_staff(actor)
    now = clock.resolve(now)
    k, language = _kind(kind), _language(language)
    candidate = Wording(k.name, language, subject, body_text, body_html, None, True)
    _checked(candidate)
    return MessageTemplate.objects.create(
        kind=k.name,
        language=language,
        version=_next_version(k.name, language),
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        created_at=now,
        created_by=actor.user,
    )


@transaction.atomic
def message_template_reset(
    *, actor: Principal, kind: str, language: str = "en", now: datetime | None = None
) -> MessageTemplate:
    """Return to the code's templates, as a new version (the history keeps the old ones)."""
    require_staff(actor)
    now = clock.resolve(now)
    k, language = _kind(kind), _language(language)
    return MessageTemplate.objects.create(
        kind=k.name,
        language=language,
        version=_next_version(k.name, language),
        customised=False,
        created_at=now,
        created_by=actor.user,
    )


def message_template_preview(
    *,
    actor: Principal,
    kind: str,
    language: str = "en",
    subject: str | None = None,
    body_text: str | None = None,
    body_html: str | None = None,
) -> Parts:
    """The kind's wording (or the one given) rendered on the latest real message's values."""
    require_staff(actor)
    k, language = _kind(kind), _language(language)
    current = wording_current(k, language)
    if subject is None and body_text is None and body_html is None:
        wording = current
    else:
        wording = Wording(
            k.name,
            language,
            current.subject if subject is None else subject,
            current.body_text if body_text is None else body_text,
            current.body_html if body_html is None else body_html,
            None,
            True,
        )
    return _checked(wording)


def message_templates(language: str | None = None) -> list[Wording]:
    languages = [_language(language)] if language else list(LANGUAGES)
    return [wording_current(k, lang) for k in kinds_all() for lang in languages]


def message_template_history(kind: str, language: str = "en") -> list[MessageTemplate]:
    return list(
        MessageTemplate.objects.filter(kind=_kind(kind).name, language=_language(language))
        .select_related("created_by")
        .order_by("-version")
    )
