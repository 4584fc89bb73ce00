"""Registration codes: generated without look-alike characters, or chosen by staff."""

from __future__ import annotations

import math
import re
import secrets

# No 0/O, 1/I/L, 5/S, 2/Z, 8/B, U/V: what people misread when they copy a code by hand.
ALPHABET = "ACDEFGHJKMNPQRTWXY34679"
CUSTOM_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]*$")


def normalize_code(code: str) -> str:
    """Codes are case-insensitive: stored and compared in upper case, spaces trimmed."""
    return code.strip().upper()


def generate_code(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def code_entropy_bits(length: int) -> float:
    return length * math.log2(len(ALPHABET))


def custom_code_problem(code: str, min_length: int) -> str | None:
    """Return why a staff-chosen code is unacceptable, or None."""
    if len(code) < min_length:
        return f"A custom code needs at least {min_length} characters."
    if len(code) > 40:
        return "A custom code has at most 40 characters."
    if not CUSTOM_CODE.match(code):
        return "Use letters, digits, hyphens and underscores only."
    return None
