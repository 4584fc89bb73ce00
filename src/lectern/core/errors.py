"""Domain refusals: an exception with a stable code and a message for people.

One place (`lectern.api`) maps them to HTTP; pages show `message` next to the form. Messages
are written in the active language (a page's or the API request's): a default message is
translated lazily and made a string when the refusal is raised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A refusal the caller can act on. Subclasses fix the HTTP status."""

    status = 409
    code = "conflict"
    default_message: str | Promise = _("This request conflicts with the current state.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        fields: Mapping[str, Sequence[str | Promise]] | None = None,
    ) -> None:
        self.message = str(message or self.default_message)
        if code is not None:
            self.code = code
        self.fields: dict[str, list[str]] | None = (
            {k: [str(m) for m in v] for k, v in fields.items()} if fields else None
        )
        super().__init__(self.message)

    def explained(self) -> str:
        """The message with each field's complaint, for pages that show one line."""
        fields = self.fields or {}
        if len(fields) == 1:
            # One field's refusal (`Invalid.field`): its words once, without the field's code
            (only,) = fields.values()
            if self.message.endswith(" ".join(only)):
                return " ".join(only)
        details = " ".join(m for messages in fields.values() for m in messages)
        return f"{self.message} {details}".strip()

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return {"error": body}


class Invalid(DomainError):
    status = 422
    code = "validation_error"
    default_message = _("Some fields are not valid.")

    @classmethod
    def field(cls, name: str, message: str | Promise) -> Invalid:
        return cls(f"{name}: {message}", fields={name: [str(message)]})


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = _("Not found.")


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"
    default_message = _("Sign in or send a valid bearer token.")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    default_message = _("You may not do this.")


class Conflict(DomainError):
    status = 409
    code = "conflict"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
    default_message = _("Too many attempts. Wait a little and try again.")

    def __init__(self, message: str | Promise | None = None, *, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after
