"""Which language a page about an event is written in.

A visitor who chose a language (the switch's cookie) reads it; otherwise their browser's
preference, when it names a language Lectern has. Only when neither does is the page in the
event's language, rather than the site's default: a Spanish training's page reads in Spanish
to a visitor whose browser asks for French."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation.trans_real import (
    get_supported_language_variant,
    parse_accept_lang_header,
)


def visitor_language(request: HttpRequest) -> str | None:
    """The language the visitor asked for (cookie, then browser), if Lectern has it."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    asked = [chosen] if chosen else []
    asked += [
        code for code, _ in parse_accept_lang_header(request.headers.get("Accept-Language", ""))
    ]
    for code in asked:
        if code == "*":
            break
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return None


def use_event_language(request: HttpRequest, language: str) -> None:
    """Write this page in `language` (an event's) unless the visitor asked for one."""
    if visitor_language(request) is None and language in dict(settings.LANGUAGES):
        translation.activate(language)
        request.LANGUAGE_CODE = language
