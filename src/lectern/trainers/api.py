"""The trainer pool: add a trainer, read and change a profile, availability per quarter."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from lectern.accounts.models import User
from lectern.checkout_sessions.models import SessionKind
from lectern.core.permissions import get_visible, principal, require_authenticated, require_staff
from lectern.core.schemas import Day, Line, refusals
from lectern.events.selectors import Quarter
from lectern.trainers import services
from lectern.trainers.selectors import availability_of, trainers_pool

router = Router(tags=["trainers"])


class TrainerIn(Schema):
    email: Line
    name: Line = Field("", max_length=200)
    languages: list[Line] = Field(default_factory=lambda: ["en"])
    timezone: Line = "UTC"


class TrainerPatch(Schema):
    name: Line | None = Field(None, max_length=200)
    languages: list[Line] | None = None
    timezone: Line | None = None


class TrainerOut(Schema):
    id: int
    email: str
    name: str
    languages: list[str]
    timezone: str
    events_taught: list[int]
    demos_hosted: list[int]

    @staticmethod
    def resolve_languages(obj: User) -> list[str]:
        return services.profile_of(obj).language_list

    @staticmethod
    def resolve_timezone(obj: User) -> str:
        return services.profile_of(obj).timezone

    @staticmethod
    def resolve_events_taught(obj: User) -> list[int]:
        return list(obj.events_taught.order_by("first_start").values_list("pk", flat=True))

    @staticmethod
    def resolve_demos_hosted(obj: User) -> list[int]:
        demos = obj.checkout_sessions_hosted.filter(kind=SessionKind.TEACHING_DEMO)
        return list(demos.order_by("start").values_list("pk", flat=True))


class AvailabilityIn(Schema):
    quarter: Line = Field(description="2027-Q1")
    days: list[Day] = Field(default_factory=list, description="Single days")
    weeks: list[Day] = Field(default_factory=list, description="Weeks, each by its Monday")


class AvailabilityOut(Schema):
    trainer_id: int
    quarter: str
    days: list[dt.date]
    weeks: list[dt.date]


def _trainer(request: HttpRequest, trainer_id: int) -> User:
    caller = principal(request)
    require_authenticated(caller)
    trainer = get_visible(User.objects.filter(is_trainer=True), trainer_id, "trainer")
    services.require_self_or_staff(caller, trainer)
    return trainer


def _availability(trainer: User, quarter: str) -> dict[str, Any]:
    days, weeks = availability_of(trainer, quarter)
    return {"trainer_id": trainer.pk, "quarter": quarter, "days": days, "weeks": weeks}


@router.get("/trainers", response={200: list[TrainerOut], **refusals(403)})
@paginate
def trainer_list(request: HttpRequest) -> Any:
    """Staff: the trainer pool."""
    require_staff(principal(request))
    return trainers_pool()


@router.post("/trainers", response={201: TrainerOut, **refusals(403)})
def trainer_add(request: HttpRequest, payload: TrainerIn) -> Any:
    """Staff add a trainer (a new or existing user); a sign-in link is emailed to them."""
    trainer = services.trainer_add(
        actor=principal(request),
        email=payload.email,
        name=payload.name,
        languages=payload.languages,
        timezone=payload.timezone,
    )
    return Status(201, trainer)


@router.get("/trainers/{trainer_id}", response={200: TrainerOut, **refusals(404)})
def trainer_detail(request: HttpRequest, trainer_id: int) -> Any:
    return _trainer(request, trainer_id)


@router.patch("/trainers/{trainer_id}", response={200: TrainerOut, **refusals(404)})
def trainer_update(request: HttpRequest, trainer_id: int, payload: TrainerPatch) -> Any:
    trainer = _trainer(request, trainer_id)
    services.trainer_profile_update(
        actor=principal(request), trainer=trainer, **payload.dict(exclude_unset=True)
    )
    return User.objects.get(pk=trainer.pk)


@router.get("/trainers/{trainer_id}/availability", response={200: AvailabilityOut, **refusals(404)})
def availability_get(request: HttpRequest, trainer_id: int, quarter: str) -> Any:
    trainer = _trainer(request, trainer_id)
    return _availability(trainer, str(Quarter.parse(quarter)))


@router.put("/trainers/{trainer_id}/availability", response={200: AvailabilityOut, **refusals(404)})
def availability_put(request: HttpRequest, trainer_id: int, payload: AvailabilityIn) -> Any:
    """Replace the days and weeks the trainer can teach in one quarter."""
    trainer = _trainer(request, trainer_id)
    services.availability_set(
        actor=principal(request),
        trainer=trainer,
        quarter=payload.quarter,
        days=payload.days,
        weeks=payload.weeks,
    )
    return _availability(trainer, str(Quarter.parse(payload.quarter)))
