"""Text shown to the public as it should read: no characters that reorder what follows.

Direction overrides and isolates (U+202A to U+202E, U+2066 to U+2069) and the direction marks
(U+200E, U+200F) in a name can make the rest of a line read backwards or as something else;
names shown publicly (directory, verification, certificate) drop them. What is stored stays.
"""

from __future__ import annotations

DIRECTION_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)]
) | {"\u200e", "\u200f"}
_DROP = dict.fromkeys(map(ord, DIRECTION_CONTROLS))


def public_name(name: str) -> str:
    """The name without direction controls, as shown publicly."""
    return name.translate(_DROP).strip()
