"""One spelling of an email address: how every address that enters Lectern is checked.

A trainee is known by their address, so two spellings of one mailbox must be one trainee and
an address that can never receive mail must be refused at the field, while the person is still
there to correct it. `email_normalise` is for addresses that enter (forms, API bodies, CLI);
`email_lookup` is for finding rows by an address someone typed, and never refuses.
"""

from __future__ import annotations

import unicodedata

import email_validator
from django.utils.translation import gettext

from lectern.core.errors import Invalid

MAX_LENGTH = 254


def _invisible(value: str) -> str | None:
    """The name of the first invisible character (format controls: zero-width, direction
    marks), if any."""
    for char in value:
        if unicodedata.category(char) in {"Cf", "Cc", "Zl", "Zp"}:
            return unicodedata.name(char, f"U+{ord(char):04X}").lower()
    return None


def email_normalise(value: str, *, field: str = "email") -> str:
    """Return the stored spelling of an address (trimmed, NFKC, domain in IDNA form, lower
    case), or refuse it with `validation_error` at `field`."""
    value = value.strip()
    if not value:
        raise Invalid.field(field, gettext("Enter your email address."))
    if invisible := _invisible(value):
        raise Invalid.field(
            field,
            gettext("The address contains an invisible character (%(character)s); type it again.")
            % {"character": invisible},
        )
    value = unicodedata.normalize("NFKC", value)
    try:
        checked = email_validator.validate_email(
            value, check_deliverability=False, allow_smtputf8=True
        )
    except email_validator.EmailNotValidError as error:
        raise Invalid.field(
            field,
            gettext("This is not an email address that can receive mail: %(problem)s")
            % {"problem": error},
        ) from error
    address = f"{checked.local_part}@{checked.ascii_domain}".lower()
    if len(address) > MAX_LENGTH:
        raise Invalid.field(
            field,
            gettext("An email address has at most %(count)d characters.") % {"count": MAX_LENGTH},
        )
    return address


def email_lookup(value: str) -> str:
    """The stored spelling of an address for finding rows; an address that would be refused
    comes back trimmed and in lower case (it matches nothing that was stored through
    `email_normalise`)."""
    try:
        return email_normalise(value)
    except Invalid:
        return unicodedata.normalize("NFKC", value.strip()).lower()
