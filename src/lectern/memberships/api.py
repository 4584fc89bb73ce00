"""Membership endpoints of the API. Each operation resolves the caller and calls one service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from lectern.core.errors import Invalid
from lectern.core.permissions import get_visible, principal, require_authenticated, require_staff
from lectern.core.schemas import Day, Line, Text, refusals
from lectern.core.validators import DATE_RANGE
from lectern.memberships import services
from lectern.memberships.models import Membership, Organization
from lectern.memberships.selectors import (
    membership_seat_summary,
    membership_warnings,
    memberships_visible_to,
)

router = Router(tags=["memberships"])


class OrganizationIn(Schema):
    name: Line = Field(min_length=1, max_length=200)
    country: Line = Field(min_length=2, max_length=2, description="ISO 3166 alpha-2, e.g. GB")
    domains: list[Line] = []


class OrganizationOut(Schema):
    id: int
    name: str
    country: str
    domains: list[str]

    @staticmethod
    def resolve_country(obj: Organization) -> str:
        return str(obj.country.code)


class MembershipIn(Schema):
    organization_id: int
    tier: Line = Field(description="bronze, silver, gold, platinum, titanium or custom")
    start_date: Day = Field(description=f"A date {DATE_RANGE}.")
    end_date: Day | None = Field(None, description="Default: one year after the start.")
    seats: int | None = Field(None, description="Default: the tier's seats.")
    registration_code: Line | None = Field(None, description="Default: generated.")
    consortium_organization_ids: list[int] = Field(
        [], description="Other organisations of a consortium; organization_id is the main one."
    )


class SeatsOut(Schema):
    granted: int
    reserved: int
    used: int
    rolled_out: int
    available: int


class MembershipOut(Schema):
    id: int
    organization_id: int
    consortium_organization_ids: list[int]
    tier: str
    start_date: date
    end_date: date
    registration_code: str
    seats: SeatsOut
    rolled_over_from_id: int | None
    warnings: list[str]

    @staticmethod
    def resolve_consortium_organization_ids(obj: Membership) -> list[int]:
        return sorted(o.pk for o in obj.consortium.all())

    @staticmethod
    def resolve_seats(obj: Membership) -> dict[str, int]:
        return membership_seat_summary(obj).as_dict()

    @staticmethod
    def resolve_warnings(obj: Membership) -> list[str]:
        return membership_warnings(obj)


class ContactIn(Schema):
    email: Line = Field(max_length=254)
    name: Line = Field(min_length=1, max_length=200)
    role: Literal["coordinator", "billing"]


class ContactOut(Schema):
    id: int
    email: str
    name: str
    role: str


class SeatsIn(Schema):
    delta: int = Field(description="Seats to add; negative to adjust down.")
    reason: Text = Field(min_length=1)
    adjustment: bool | None = Field(
        None, description="Record as an adjustment rather than a purchase (default: delta < 0)."
    )
    allow_overdraw: bool = Field(False, description="Let available seats go below zero.")


class RolloverIn(Schema):
    seats: int
    start_date: Day | None = None
    reason: Text = Field("", description="Required before the rollover window opens.")


class ExtendIn(Schema):
    end_date: Day
    reason: Text = Field(min_length=1)


class LedgerEntryOut(Schema):
    id: int
    at: datetime
    kind: str
    source: str
    delta: int
    registration_id: int | None
    actor: str = Field(alias="actor_label")
    reason: str
    overdraw: bool


def _visible_membership(request: HttpRequest, membership_id: int) -> Membership:
    caller = principal(request)
    require_authenticated(caller)
    return get_visible(memberships_visible_to(caller), membership_id, "membership")


def _organization(organization_id: int, field: str) -> Organization:
    try:
        return Organization.objects.get(pk=organization_id)
    except Organization.DoesNotExist:
        raise Invalid.field(field, f"No organisation with id {organization_id}.") from None


@router.post("/organizations", response={201: OrganizationOut, **refusals(403)})
def organization_create(request: HttpRequest, payload: OrganizationIn) -> Status:
    org = services.organization_create(
        actor=principal(request),
        name=payload.name,
        country=payload.country,
        domains=payload.domains,
    )
    return Status(201, org)


@router.get(
    "/organizations/{organization_id}", response={200: OrganizationOut, **refusals(403, 404)}
)
def organization_detail(request: HttpRequest, organization_id: int) -> Any:
    require_staff(principal(request))
    org = get_visible(Organization.objects.all(), organization_id, "organisation")
    return org


@router.post("/memberships", response={201: MembershipOut, **refusals(403)})
def membership_create(request: HttpRequest, payload: MembershipIn) -> Status:
    caller = principal(request)
    require_staff(caller)
    membership = services.membership_create(
        actor=caller,
        organization=_organization(payload.organization_id, "organization_id"),
        tier=payload.tier,
        start_date=payload.start_date,
        end_date=payload.end_date,
        seats=payload.seats,
        registration_code=payload.registration_code,
        consortium=[
            _organization(i, "consortium_organization_ids")
            for i in payload.consortium_organization_ids
        ],
    )
    return Status(201, membership)


@router.get("/memberships", response=list[MembershipOut])
@paginate
def membership_list(request: HttpRequest) -> Any:
    caller = principal(request)
    require_authenticated(caller)
    return memberships_visible_to(caller).prefetch_related("consortium")


@router.get("/memberships/{membership_id}", response={200: MembershipOut, **refusals(404)})
def membership_detail(request: HttpRequest, membership_id: int) -> Any:
    return _visible_membership(request, membership_id)


@router.post(
    "/memberships/{membership_id}/contacts", response={201: ContactOut, **refusals(403, 404, 409)}
)
def contact_add(request: HttpRequest, membership_id: int, payload: ContactIn) -> Status:
    membership = _visible_membership(request, membership_id)
    contact = services.contact_add(
        actor=principal(request),
        membership=membership,
        email=payload.email,
        name=payload.name,
        role=payload.role,
    )
    return Status(201, contact)


@router.get(
    "/memberships/{membership_id}/contacts", response={200: list[ContactOut], **refusals(404)}
)
def contact_list(request: HttpRequest, membership_id: int) -> Any:
    membership = _visible_membership(request, membership_id)
    return list(membership.contacts.order_by("role", "email").values("id", "email", "name", "role"))


@router.post(
    "/memberships/{membership_id}/seats", response={201: MembershipOut, **refusals(403, 404, 409)}
)
def seats_add(request: HttpRequest, membership_id: int, payload: SeatsIn) -> Status:
    membership = services.seats_add(
        actor=principal(request),
        membership=_visible_membership(request, membership_id),
        delta=payload.delta,
        reason=payload.reason,
        adjustment=payload.adjustment,
        allow_overdraw=payload.allow_overdraw,
    )
    return Status(201, membership)


@router.post(
    "/memberships/{membership_id}/rollover",
    response={201: MembershipOut, **refusals(403, 404, 409)},
)
def seats_rollover(request: HttpRequest, membership_id: int, payload: RolloverIn) -> Status:
    successor = services.seats_rollover(
        actor=principal(request),
        membership=_visible_membership(request, membership_id),
        seats=payload.seats,
        start_date=payload.start_date,
        reason=payload.reason,
    )
    return Status(201, successor)


@router.post(
    "/memberships/{membership_id}/extend", response={200: MembershipOut, **refusals(403, 404)}
)
def membership_extend(request: HttpRequest, membership_id: int, payload: ExtendIn) -> Any:
    membership = services.membership_extend(
        actor=principal(request),
        membership=_visible_membership(request, membership_id),
        end_date=payload.end_date,
        reason=payload.reason,
    )
    return membership


@router.get("/memberships/{membership_id}/ledger", response=list[LedgerEntryOut])
@paginate
def ledger(request: HttpRequest, membership_id: int) -> Any:
    membership = _visible_membership(request, membership_id)
    return membership.ledger.order_by("at", "id")
