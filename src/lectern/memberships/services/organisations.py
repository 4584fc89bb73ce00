"""Organisations and the domains that identify their people."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import transaction

from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.errors import Invalid
from lectern.core.permissions import Principal, require_staff
from lectern.core.validators import line_problem
from lectern.memberships.models import (
    Organization,
)

DOMAIN_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


def domains_clean(domains: Iterable[str]) -> list[str]:
    """Web domains as plain names (`x.org`), lower case, each once; a scheme, a path or
    `www.` is dropped, anything else that is not a domain name is refused."""
    result: list[str] = []
    for raw in domains:
        name = raw.strip().lower().removeprefix("https://").removeprefix("http://")
        name = name.split("/")[0].removeprefix("www.").rstrip(".")
        if not name:
            continue
        try:
            ascii_name = name.encode("idna").decode("ascii")
        except UnicodeError:
            ascii_name = ""
        if not DOMAIN_NAME.match(ascii_name):
            raise Invalid.field("domains", f"{raw.strip()!r} is not a domain name like x.org.")
        if ascii_name not in result:
            result.append(ascii_name)
    return result


def domains_parse(text: str) -> list[str]:
    """Domains typed one a line or separated by commas or spaces."""
    return domains_clean(re.split(r"[\s,;]+", text))


@transaction.atomic
def organization_create(
    *,
    actor: Principal,
    name: str,
    country: str,
    domains: Sequence[str] = (),
    now: datetime | None = None,
) -> Organization:
    require_staff(actor)
    from django_countries import countries

    name = name.strip()
    if not name:
        raise Invalid.field("name", "Give the organisation's name.")
    if problem := line_problem(name, Organization._meta.get_field("name").max_length or 200):
        raise Invalid.field("name", problem)
    country = country.strip().upper()
    if country not in countries:
        raise Invalid.field("country", f"{country!r} is not an ISO 3166 country code (e.g. GB).")
    now = clock.resolve(now)
    org = Organization.objects.create(
        name=name, country=country, domains=domains_clean(domains), created_at=now
    )
    audit_log(actor=actor, action="organization_created", obj=org, at=now)
    return org
