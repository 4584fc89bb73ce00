"""What a page or an email read in Spanish may not contain: English words, or a sentence of
the catalog left in English.

`english_left` looks for words that are English and never Spanish ("the", "your", "with"...)
in the text people read: a page's visible text and the words of its labels (`aria-label`,
`placeholder`, `title`, `alt`), an email's subject and bodies. Whatever gets past the
catalog (a string not marked for translation, a message built in English, a value written
in the wrong language) shows up here, whether or not the catalog knows it. `catalog_left`
adds the catalog's own English sentences found verbatim."""

from __future__ import annotations

import gettext
import html
import re
from functools import cache
from pathlib import Path

ENGLISH = re.compile(
    r"\b(the|your|you|and|with|this|which|please|of|is|are|have|will|from|to|for|on|at"
    r"|by|or|here|there|been|was|were|an|it|its|be|yet|not|any|every|after|before|until"
    r"|when|must|can)\b",
    re.IGNORECASE,
)
# Names that are English in every language, and the words the tests' own data holds
ALLOWED = ("The Carpentries", "Lectern Instructor Training", "Join Time", "Leave Time")
CATALOG = Path(__file__).resolve().parents[1] / "src/lectern/locale/es/LC_MESSAGES/django.mo"
LABELS = re.compile(r'\b(?:aria-label|placeholder|title|alt)="([^"]*)"')


def visible_text(page: str) -> str:
    """A page as people read it: its text and the words of its labels, tags and scripts out."""
    labels = " ".join(LABELS.findall(page))
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL | re.IGNORECASE)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html.unescape(f"{text} {labels}").split())


def english_left(text: str, also_allowed: tuple[str, ...] = ()) -> list[str]:
    """The English words in `text`, each with a few words around it to find it by."""
    for allowed in (*ALLOWED, *also_allowed):
        text = text.replace(allowed, " ")
    text = re.sub(r"\S+@\S+|https?://\S+", " ", text)  # addresses and links
    return [text[max(0, m.start() - 40) : m.end() + 40].strip() for m in ENGLISH.finditer(text)]


@cache
def _english_sentences() -> tuple[str, ...]:
    with CATALOG.open("rb") as f:
        catalog: dict[object, str] = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    sentences = set()
    for key, translated in catalog.items():
        msgid = key[0] if isinstance(key, tuple) else key
        msgid = msgid.split("\x04")[-1]
        if "%" in msgid or "{" in msgid or "<" in msgid or len(msgid) < 16:
            continue  # placeholders and markup are filled in; short ones are words
        if " " in msgid and translated != msgid:
            sentences.add(msgid)
    return tuple(sorted(sentences))


def catalog_left(text: str) -> list[str]:
    """The catalog's English sentences (with no placeholder) that `text` holds as they are."""
    return [sentence for sentence in _english_sentences() if sentence in text]


def assert_spanish(text: str, *expected: str, allowed: tuple[str, ...] = ()) -> None:
    """`text` is Spanish: it holds each of `expected` and no English that people read."""
    for words in expected:
        assert words in text, f"{words!r} is not in the Spanish text: {text}"
    left = english_left(text, allowed) + catalog_left(text)
    assert not left, f"English left in the Spanish text, {left}, in: {text}"
