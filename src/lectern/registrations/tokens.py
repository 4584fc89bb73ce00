"""Links that carry authority, derived (HMAC) from a stored nonce, Django-tokens style.

- A manage token (`lr_<registration id>_<signature>`) acts on one registration: it is what a
  registration's response hands back, and what earlier emails carried.
- A trainee token (`lt_<trainee id>_<signature>`) acts as the trainee: their whole record.
  Only emails carry it, since the mailbox is what proves the trainee.

The same token can be written into every email without keeping it; changing the nonce
revokes every link at once.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from django.conf import settings

PREFIX = "lr_"
TOKEN = re.compile(r"^lr_(\d{1,18})_([0-9a-f]{40})$")
TRAINEE_PREFIX = "lt_"
TRAINEE_TOKEN = re.compile(r"^lt_(\d{1,18})_([0-9a-f]{40})$")


def new_nonce() -> str:
    return secrets.token_hex(16)


def manage_token(registration_id: int, nonce: str) -> str:
    return f"{PREFIX}{registration_id}_{_signature('registration', registration_id, nonce)}"


def registration_id_of(token: str) -> int | None:
    """Return the registration a well-formed token names (its signature still to be checked)."""
    match = TOKEN.match(token)
    return int(match.group(1)) if match else None


def token_matches(token: str, registration_id: int, nonce: str) -> bool:
    return hmac.compare_digest(token, manage_token(registration_id, nonce))


def _signature(purpose: str, object_id: int, nonce: str) -> str:
    message = f"{purpose}:{object_id}:{nonce}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:40]


def trainee_token(trainee_id: int, nonce: str) -> str:
    return f"{TRAINEE_PREFIX}{trainee_id}_{_signature('trainee', trainee_id, nonce)}"


def trainee_id_of(token: str) -> int | None:
    """Return the trainee a well-formed token names (its signature still to be checked)."""
    match = TRAINEE_TOKEN.match(token)
    return int(match.group(1)) if match else None


def trainee_token_matches(token: str, trainee_id: int, nonce: str) -> bool:
    return hmac.compare_digest(token, trainee_token(trainee_id, nonce))
