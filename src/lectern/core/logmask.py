"""Tokens never reach the logs: links that carry authority (`lr_...`, `lt_...`) are masked in
Django's log records and in gunicorn's access log."""

from __future__ import annotations

import logging
import re
from typing import Any

TOKEN = re.compile(r"\b(l[rt])_\d{1,18}_[0-9a-fA-F]{6,}")
MASK = r"\1_[masked]"


def mask_tokens(text: str) -> str:
    return TOKEN.sub(MASK, text)


class MaskTokensFilter(logging.Filter):
    """A logging filter (on the handlers) that rewrites each record's message without tokens."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def gunicorn_logger_class() -> type[Any]:
    """gunicorn's logger with every access-log field masked (imported only by `serve`)."""
    from gunicorn.glogging import Logger

    class MaskedLogger(Logger):  # type: ignore[misc]
        def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
            atoms = super().atoms(resp, req, environ, request_time)
            return {k: mask_tokens(v) if isinstance(v, str) else v for k, v in atoms.items()}

    return MaskedLogger
