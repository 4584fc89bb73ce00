"""Accounts: users by role, API tokens, one-time sign-in links."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Literal

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from lectern.accounts.models import ApiToken, LoginLink, User
from lectern.core import clock
from lectern.core.emails import email_normalise
from lectern.core.errors import Invalid, NotFound
from lectern.core.permissions import Principal, require_staff
from lectern.notifications.services import message_queue, recipient_language

Role = Literal["staff", "trainer", "coordinator"]
ROLES: tuple[Role, ...] = ("staff", "trainer", "coordinator")
TOKEN_PREFIX = "lt_"


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def user_ensure(*, email: str, role: Role | None = None, name: str = "") -> User:
    """Return the user with this email, created if needed, with `role` added to their roles.

    Coordinators need no flag: they are the coordinator contacts of memberships, matched
    by email.
    """
    email = email_normalise(email)
    user, _ = User.objects.get_or_create(email=email, defaults={"name": name})
    changed = []
    if role == "staff" and not user.is_staff:
        user.is_staff = user.is_superuser = True
        changed += ["is_staff", "is_superuser"]
    if role == "trainer" and not user.is_trainer:
        user.is_trainer = True
        changed.append("is_trainer")
    if changed:
        user.save(update_fields=changed)
    return user


@transaction.atomic
def user_add(
    *,
    actor: Principal,
    email: str,
    name: str = "",
    roles: tuple[Role, ...] = (),
    now: datetime | None = None,
) -> User:
    """Staff add a person who signs in (staff, a trainer, a coordinator): one form, no
    password; a sign-in link is emailed to them (they can ask for another at /login/)."""
    require_staff(actor)
    email = email_normalise(email)
    if User.objects.filter(email=email).exists():
        raise Invalid.field("email", "A user with this email address exists already.")
    user = user_ensure(email=email, name=name.strip())
    for role in roles:
        user_ensure(email=email, role=role)
    user.refresh_from_db()
    login_link_send(user=user, now=now)
    return user


def token_create(*, user: User, name: str = "", now: datetime | None = None) -> str:
    """Create an API token and return it; only its digest is kept."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, digest=digest(raw), prefix=raw[:10], name=name, created_at=clock.resolve(now)
    )
    return raw


def token_authenticate(raw: str, *, now: datetime | None = None) -> User | None:
    """Return the active user a token belongs to, or None; note when it was last used.

    `last_used_at` is written at most once a minute per token, so reads stay reads.
    """
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = clock.resolve(now)
    resolution = timedelta(seconds=settings.LECTERN["TOKEN_LAST_USED_RESOLUTION_SECONDS"])
    if token.last_used_at is None or now - token.last_used_at >= resolution:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def token_revoke(*, token: ApiToken, now: datetime | None = None) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=clock.resolve(now)
    )


def login_link_create(*, user: User, now: datetime | None = None) -> str:
    """Create a one-time sign-in link for `user` and return its URL."""
    return _login_link_new(user=user, now=clock.resolve(now))[1]


def _login_link_new(*, user: User, now: datetime) -> tuple[LoginLink, str]:
    raw = secrets.token_urlsafe(32)
    minutes = settings.LECTERN["LOGIN_LINK_MINUTES"]
    link = LoginLink.objects.create(
        user=user, digest=digest(raw), created_at=now, expires_at=now + timedelta(minutes=minutes)
    )
    return link, f"{settings.BASE_URL}/login/{raw}/"


def login_link_send(*, user: User, now: datetime | None = None) -> None:
    """Queue a sign-in link for `user`, due now: the outbox worker sends it within seconds,
    and a mail server that is down delays it instead of failing the request.

    Rate limits are the caller's (`registrations.services.signin`), counted per address
    and client whether or not the address is known."""
    now = clock.resolve(now)
    link, url = _login_link_new(user=user, now=now)
    message_queue(
        kind="login_link",
        key=str(link.pk),
        to=user.email,
        name=user.get_short_name(),
        obj=link,
        context={"url": url, "minutes": settings.LECTERN["LOGIN_LINK_MINUTES"]},
        language=recipient_language(),
        expires_at=link.expires_at,
        now=now,
    )


@transaction.atomic
def login_link_consume(*, raw: str, now: datetime | None = None) -> User:
    """Spend a sign-in link: valid once, before it expires."""
    now = clock.resolve(now)
    link = (
        LoginLink.objects.select_for_update()
        .select_related("user")
        .filter(digest=digest(raw), used_at__isnull=True, expires_at__gt=now, user__is_active=True)
        .first()
    )
    if link is None:
        raise NotFound(
            gettext(
                "This sign-in link is not valid: it was used already or has expired. "
                "Ask for a new one."
            ),
            code="login_link_invalid",
        )
    link.used_at = now
    link.save(update_fields=["used_at"])
    return link.user
