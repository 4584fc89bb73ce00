"""An email backend that writes each message to its own `.eml` file, as mail programs open.

Django's file backend appends every message of a connection to one log file, separated by
dashes, which no mail program reads. This one writes one RFC 5322 message per file, named
after the moment and a counter, so the demo's and the tests' mail can be opened by
double-clicking, or read back with `email.message_from_bytes`.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import EmailMessage

from lectern.core import clock

_COUNTER = itertools.count(1)


class EmlFileBackend(BaseEmailBackend):
    def __init__(self, *args: Any, file_path: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        path = file_path or getattr(settings, "EMAIL_FILE_PATH", None)
        if not path:
            raise ImproperlyConfigured("EmlFileBackend needs EMAIL_FILE_PATH.")
        self.folder = Path(path)
        self.folder.mkdir(parents=True, exist_ok=True)
        if not os.access(self.folder, os.W_OK):
            raise ImproperlyConfigured(f"Cannot write email files to {self.folder}.")

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        written = 0
        for message in email_messages:
            moment = clock.now().strftime("%Y%m%dT%H%M%S%f")
            name = f"{moment}-{os.getpid()}-{next(_COUNTER):06d}.eml"
            temporary = self.folder / f".{name}.tmp"
            temporary.write_bytes(message.message().as_bytes(linesep="\r\n"))
            temporary.replace(self.folder / name)  # a reader never sees half a message
            written += 1
        return written
