"""Signing in by email address: the sign-in page and `POST /auth/trainee-link`.

An address typed in a form proves nothing (STYLE "Identity"): what it may do is make us
email its mailbox. Every request does the same work whether or not the address is known:
it counts against the address and the client (one atomic step each, `core.ratelimit`), looks
the address up as a user and as a trainee, and only then queues what the address is owed:
- a known, active user (staff, trainer, coordinator): a one-time sign-in link (`login_link`);
- a known trainee (not erased): their personal link (`trainee_sign_in`, keyed by the
  request's id, so that each request may send one).
An address that is both gets both emails: each says what its link does, and the sign-in
link expires while the personal link does not.
The answer is the same in every case; only a rate limit changes it, for known and unknown
addresses alike. Emails leave through the outbox (never inside the request).
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from lectern.accounts.models import User, normalize_email
from lectern.accounts.services import login_link_send
from lectern.core import clock
from lectern.core.errors import Invalid
from lectern.core.ratelimit import Limit, rate_take
from lectern.notifications.services import message_queue, recipient_language
from lectern.registrations import emails
from lectern.registrations.models import Trainee

HOUR = 3600


def per_address() -> Limit:
    return Limit(
        scope="sign_in_address",
        limit=settings.LECTERN["LOGIN_LINKS_PER_HOUR"],
        window_seconds=HOUR,
        message=gettext_noop(
            "Too many links were requested for this address. Try again in {wait}."
        ),
    )


def per_client() -> Limit:
    return Limit(
        scope="sign_in_client",
        limit=settings.LECTERN["SIGN_IN_REQUESTS_PER_CLIENT"],
        window_seconds=HOUR,
        message=gettext_noop(
            "Too many sign-in requests came from your connection. Try again in {wait}."
        ),
    )


@transaction.atomic
def sign_in_request(
    *, email: str, client: str, users: bool = True, now: datetime | None = None
) -> None:
    """Email this address what it is owed (see the module); refuse (429) past the limits.

    `users=False` (the API's trainee link) sends only the personal link; it counts against
    the same limits."""
    now = clock.resolve(now)
    address = normalize_email(email)
    try:
        validate_email(address)
    except ValidationError:
        raise Invalid.field("email", gettext("Enter a valid email address.")) from None
    rate_take(limit=per_client(), key=client, now=now)
    rate_take(limit=per_address(), key=address, now=now)
    user = User.objects.filter(email=address, is_active=True).first()
    trainee = Trainee.objects.filter(email=address, erased_at__isnull=True).first()
    if users and user is not None:
        login_link_send(user=user, now=now)
    if trainee is not None:
        message_queue(
            kind="trainee_sign_in",
            key=uuid.uuid4().hex,
            to=trainee.email,
            name=trainee.name,
            obj=trainee,
            context={"trainee": trainee, "personal_url": emails.personal_url(trainee)},
            language=recipient_language(),
            now=now,
        )
