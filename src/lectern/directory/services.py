"""The public instructor directory: certified instructors who opted in."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext

from lectern.certificates.models import Certificate
from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.errors import Invalid, NotFound
from lectern.core.permissions import Principal
from lectern.registrations.models import Trainee

GITHUB = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,37})$")
ORCID = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
WEBSITE_MAX_LENGTH = Trainee._meta.get_field("website").max_length or 300


def directory_entries() -> QuerySet[Certificate]:
    """Certificates of instructors listed publicly: opted in, valid, not erased."""
    return (
        Certificate.objects.select_related("trainee")
        .filter(
            trainee__directory_consent=True,
            revoked_at__isnull=True,
            trainee__erased_at__isnull=True,
        )
        .order_by("trainee__name", "pk")
    )


def _owner_or_staff(actor: Principal, trainee: Trainee) -> None:
    if actor.is_staff:
        return
    if actor.acts_as_trainee(trainee.pk):  # a personal link; a manage link never
        return
    raise NotFound(gettext("No such trainee."))


@transaction.atomic
def directory_update(
    *, actor: Principal, trainee: Trainee, changes: dict[str, Any], now: datetime | None = None
) -> Trainee:
    """Opt in or out of the directory (effective at once) and set public links."""
    _owner_or_staff(actor, trainee)
    now = clock.resolve(now)
    errors: dict[str, list[str]] = {}
    github = (changes.get("github") or "").strip().lstrip("@") if "github" in changes else None
    orcid = (changes.get("orcid") or "").strip().upper() if "orcid" in changes else None
    website = (changes.get("website") or "").strip() if "website" in changes else None
    if github and not GITHUB.match(github):
        errors["github"] = [gettext("A GitHub user name: letters, digits and hyphens.")]
    if orcid and not ORCID.match(orcid):
        errors["orcid"] = [gettext("An ORCID iD like 0000-0002-1825-0097.")]
    if website and not website.startswith(("https://", "http://")):
        errors["website"] = [gettext("A full web address (https://…).")]
    elif website and len(website) > WEBSITE_MAX_LENGTH:
        errors["website"] = [
            gettext("A web address of up to %(count)d characters.") % {"count": WEBSITE_MAX_LENGTH}
        ]
    if errors:
        raise Invalid(gettext("Some directory details are not valid."), fields=errors)
    fields = []
    for name, value in [("github", github), ("orcid", orcid), ("website", website)]:
        if value is not None:
            setattr(trainee, name, value)
            fields.append(name)
    if changes.get("directory_consent") is not None:
        trainee.directory_consent = bool(changes["directory_consent"])
        fields.append("directory_consent")
    trainee.save(update_fields=fields or ["directory_consent"])
    audit_log(actor=actor, action="directory_updated", obj=trainee, at=now, data={"fields": fields})
    return trainee
