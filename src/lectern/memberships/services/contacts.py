"""A membership's contacts, and the welcome a new coordinator gets."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from lectern.accounts.services import user_ensure
from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.emails import email_normalise
from lectern.core.errors import Conflict, Invalid
from lectern.core.permissions import Principal, require_staff
from lectern.core.validators import line_problem
from lectern.memberships.models import (
    ContactRole,
    Membership,
    MembershipContact,
)
from lectern.memberships.selectors import (
    membership_email_context,
)
from lectern.notifications.services import message_queue


def contact_welcome(contact: MembershipContact, now: datetime) -> None:
    """Queue the membership welcome email to a coordinator."""
    membership = contact.membership
    message_queue(
        kind="membership_welcome",
        to=contact.email,
        name=contact.name,
        obj=membership,
        now=now,
        context=membership_email_context(membership, now.date()),
    )


NAME_MAX = MembershipContact._meta.get_field("name").max_length or 200


@transaction.atomic
def contact_add(
    *,
    actor: Principal,
    membership: Membership,
    email: str,
    name: str,
    role: str,
    now: datetime | None = None,
) -> MembershipContact:
    """Add a contact; a coordinator gets a sign-in (by email link) to see this membership."""
    require_staff(actor)
    if role not in ContactRole.values:
        raise Invalid.field("role", "Choose coordinator or billing.")
    email = email_normalise(email)
    if not name.strip():
        raise Invalid.field("name", "Give the contact's name.")
    if problem := line_problem(name.strip(), NAME_MAX):
        raise Invalid.field("name", problem)
    now = clock.resolve(now)
    contact, created = MembershipContact.objects.get_or_create(
        membership=membership, email=email, role=role, defaults={"name": name.strip()}
    )
    if not created:
        raise Conflict("This person is already a contact with that role.", code="duplicate_contact")
    if role == ContactRole.COORDINATOR:
        user_ensure(email=email, name=name.strip())
        contact_welcome(contact, now)
    audit_log(
        actor=actor,
        action="contact_added",
        obj=membership,
        at=now,
        data={"email": email, "role": role},
    )
    return contact
