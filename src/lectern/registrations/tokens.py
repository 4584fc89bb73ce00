"""Manage links: a bearer token per registration, derived (HMAC) from a stored nonce.

The same token can be written into every email about the registration without keeping it;
changing the nonce revokes every link at once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from django.conf import settings

PREFIX = "lr_"
TOKEN = re.compile(r"^lr_(\d+)_([0-9a-f]{40})$")


def new_nonce() -> str:
    return secrets.token_hex(16)


def manage_token(registration_id: int, nonce: str) -> str:
    message = f"registration:{registration_id}:{nonce}".encode()
    signature = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:40]
    return f"{PREFIX}{registration_id}_{signature}"


def registration_id_of(token: str) -> int | None:
    """Return the registration a well-formed token names (its signature still to be checked)."""
    match = TOKEN.match(token)
    return int(match.group(1)) if match else None


def token_matches(token: str, registration_id: int, nonce: str) -> bool:
    return hmac.compare_digest(token, manage_token(registration_id, nonce))
