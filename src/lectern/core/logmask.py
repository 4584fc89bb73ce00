"""Personal data never reaches the logs: links that carry authority (`lr_...`, `lt_...`),
email addresses (also percent-encoded, as in a query string) and, in request paths, the
values of the query and any long random segment (a sign-in link's token).

The masking runs in the formatters (`PlainFormatter`, `JsonFormatter`), on the whole line
as written, tracebacks included, so no logger anywhere (Django's, gunicorn's, ours) can
print what it should not. Names are never logged by Lectern's code: nothing can recognise
a name in free text, so the rule is that log lines carry ids, not people.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

TOKEN = re.compile(r"\b(l[rt])_\d{1,18}_[0-9a-fA-F]{6,}")
MASK = r"\1_[masked]"
# Local part and domain as they may appear in a log line: raw, or with @ percent-encoded.
# (`/`, `=`, `?` and `&` are allowed in a local part but end one in paths and queries.)
EMAIL = re.compile(
    r"[A-Za-z0-9.!#$%'*+^_`{|}~\u00a0-\uffff-]+(?:@|%40)[A-Za-z0-9\u00a0-\uffff-]+"
    r"(?:\.[A-Za-z0-9\u00a0-\uffff-]+)+",
)
EMAIL_MASK = "[email]"
# In a path: a segment of 20+ URL-safe characters is a token (a sign-in link's, for one).
LONG_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_-]{20,}(?=/|$)")


def mask_tokens(text: str) -> str:
    return TOKEN.sub(MASK, text)


def mask_personal(text: str) -> str:
    """Mask tokens and email addresses anywhere in a line of text."""
    return EMAIL.sub(EMAIL_MASK, mask_tokens(text))


def mask_path(path: str, query: str = "") -> str:
    """A request's path and query as a log may show them: tokens, addresses and long random
    segments masked, the query's values dropped (its names kept, to show what was asked)."""
    masked = LONG_SEGMENT.sub("[masked]", mask_personal(path))
    if not query:
        return masked
    names = [part.split("=", 1)[0] for part in query.split("&") if part]
    return masked + "?" + "&".join(f"{mask_personal(name)}=" for name in names)


class MaskTokensFilter(logging.Filter):
    """A logging filter (on the handlers) that rewrites each record's message without tokens
    or addresses; kept for configurations that use their own formatter."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_personal(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class PlainFormatter(logging.Formatter):
    """One line of text per record, with the request id, masked."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = "-"
        return mask_personal(super().format(record))


# Fields a record may carry with `extra=` that the JSON lines keep.
JSON_EXTRA = ("method", "path", "route", "status", "duration_ms", "client")


class JsonFormatter(logging.Formatter):
    """One JSON object per line (`LECTERN_LOG_FORMAT=json`), masked field by field."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        for name in JSON_EXTRA:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(
            {k: mask_personal(v) if isinstance(v, str) else v for k, v in line.items()},
            ensure_ascii=False,
        )


def gunicorn_logger_class() -> type[Any]:
    """gunicorn's logger with every access-log field masked (imported only by `serve`)."""
    from gunicorn.glogging import Logger

    class MaskedLogger(Logger):  # type: ignore[misc]
        def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
            atoms = super().atoms(resp, req, environ, request_time)
            return {k: mask_personal(v) if isinstance(v, str) else v for k, v in atoms.items()}

    return MaskedLogger
