"""The policy layer: who is calling, and the checks every service and endpoint shares.

Objects a caller may not see are reported as missing (404), never as forbidden, so that
nobody learns what another organisation holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.http import HttpRequest

from lectern.core.errors import Forbidden, NotFound, Unauthenticated

if TYPE_CHECKING:
    from lectern.accounts.models import User

M = TypeVar("M", bound=models.Model)


@dataclass(frozen=True)
class Principal:
    """The caller of a service: a signed-in user, or the system itself (CLI, scheduler)."""

    user: User | None = None
    system: bool = False
    registration_id: int | None = None  # a trainee acting through a registration's manage link
    trainee_id: int | None = None  # a trainee acting through their personal (emailed) link

    @classmethod
    def anonymous(cls) -> Principal:
        return cls()

    @classmethod
    def as_system(cls) -> Principal:
        return cls(system=True)

    @classmethod
    def trainee(cls, registration_id: int) -> Principal:
        """A trainee holding one registration's manage link: that registration only."""
        return cls(registration_id=registration_id)

    @classmethod
    def personal(cls, trainee_id: int) -> Principal:
        """A trainee holding their personal link: their whole record."""
        return cls(trainee_id=trainee_id)

    @property
    def is_authenticated(self) -> bool:
        return (
            self.system
            or self.user is not None
            or self.registration_id is not None
            or self.trainee_id is not None
        )

    def acts_as_trainee(self, trainee_id: int) -> bool:
        """Whether this caller holds the trainee's own authority (their personal link). A
        manage link never does: it acts on its one registration only."""
        return self.trainee_id is not None and self.trainee_id == trainee_id

    @property
    def is_staff(self) -> bool:
        return self.system or (self.user is not None and self.user.is_staff)

    @property
    def is_trainer(self) -> bool:
        return self.user is not None and self.user.is_trainer

    @property
    def email(self) -> str:
        return self.user.email if self.user is not None else ""

    @property
    def label(self) -> str:
        if self.system:
            return "system"
        if self.user is not None:
            return self.user.email
        if self.registration_id is not None:
            return f"trainee (registration {self.registration_id})"
        if self.trainee_id is not None:
            return f"trainee {self.trainee_id}"
        return "anonymous"


def principal(request: HttpRequest) -> Principal:
    """The caller of an API operation, as the API's authentication (`lectern.api`) resolved
    it onto the request."""
    auth: Any = getattr(request, "auth", None)
    return auth if isinstance(auth, Principal) else Principal.anonymous()


def require_authenticated(principal: Principal) -> None:
    if not principal.is_authenticated:
        raise Unauthenticated()


def require_staff(principal: Principal) -> None:
    require_authenticated(principal)
    if not principal.is_staff:
        raise Forbidden("Only programme staff may do this.")


def get_visible(queryset: models.QuerySet[M], pk: object, what: str) -> M:
    """Return the object from a queryset already narrowed to what the caller may see."""
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise NotFound(f"No {what} with id {pk} is visible to you.") from None
