"""The kinds of email: each declared once, by the app that sends it.

A kind is a name (what staff filter the outbox by, `GET /notifications?kind=`), the folder of
its templates under `notifications/`, who receives it and a label for people. The outbox
sends each (kind, object, recipient, key) at most once; the key is kept apart from the name,
so that one kind has one name however many times it is legitimately sent.

An app declares its kinds in its own `kinds.py`, imported by its `AppConfig.ready()`:

    kind_register(
        Kind("checkout_reminder", "Checkout reminder", Recipient.TRAINEE),
        Kind("checkout_expired", "Checkout expired", Recipient.TRAINEE),
    )

A kind whose email is written when it is sent declares `write`: its requests only queue the
row, and the sender calls `write(messages)` for their contexts and files, then renders them
(see `notifications.services.messages_write`).

This module knows no kind itself: the apps that send email sit above it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import ImproperlyConfigured

NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")


class Recipient(StrEnum):
    """Who a kind of email goes to."""

    TRAINEE = "trainee"
    COORDINATOR = "coordinator"
    TRAINER = "trainer"
    USER = "user"  # anyone who signs in: staff, trainers, coordinators


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    recipient: Recipient
    template: str = ""  # the folder under notifications/; default: the kind's name
    # Written when it is sent: messages -> their `notifications.services.Letter`s, in order,
    # from the objects they are about as they are then (read together). None: written when it
    # is queued, from the caller's values.
    write: Callable[[list[Any]], list[Any]] | None = None

    @property
    def templates(self) -> str:
        return self.template or self.name


class UnknownKind(LookupError):
    """A kind no app declared: a programming error, raised before anything is written."""


_KINDS: dict[str, Kind] = {}


def kind_register(*kinds: Kind) -> None:
    """Declare kinds of email. Declaring the same kind again is harmless; declaring another
    kind under a name already taken is refused."""
    for kind in kinds:
        if not NAME.match(kind.name):
            raise ImproperlyConfigured(
                f"email kind {kind.name!r}: lower-case letters, digits and _, up to 64"
            )
        existing = _KINDS.setdefault(kind.name, kind)
        if existing != kind:
            raise ImproperlyConfigured(f"email kind {kind.name!r} is declared twice: {existing}")


def kind_get(name: str) -> Kind:
    try:
        return _KINDS[name]
    except KeyError:
        raise UnknownKind(
            f"no email kind {name!r}; declare it with kind_register() in its app's kinds.py"
        ) from None


def kinds_all() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.name)
