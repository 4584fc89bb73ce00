"""The trainer pool: adding trainers, their profile, the days they can teach, assignment."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext

from lectern.accounts.models import User
from lectern.accounts.services import login_link_send, user_ensure
from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.errors import Invalid, NotFound
from lectern.core.permissions import Principal, require_staff
from lectern.events.models import Event
from lectern.events.selectors import Quarter
from lectern.events.services import event_update
from lectern.events.timezones import zone
from lectern.trainers.models import Availability, TrainerProfile

LANGUAGE_CODE_MAX = 8


def require_self_or_staff(actor: Principal, trainer: User) -> None:
    """Staff, or the trainer themself; to anyone else the trainer is missing."""
    if actor.is_staff:
        return
    if actor.user is not None and actor.user.pk == trainer.pk and trainer.is_trainer:
        return
    raise NotFound(f"No trainer with id {trainer.pk} is visible to you.")


def profile_of(trainer: User) -> TrainerProfile:
    profile, _ = TrainerProfile.objects.get_or_create(user=trainer)
    return profile


def _languages(languages: Sequence[str]) -> str:
    codes = []
    for raw in languages:
        code = raw.strip().lower()
        if not code.replace("-", "").isalpha() or len(code) > LANGUAGE_CODE_MAX:
            raise Invalid.field(
                "languages",
                gettext("%(code)s is not a language code like en or es.") % {"code": repr(raw)},
            )
        if code not in codes:
            codes.append(code)
    if not codes:
        raise Invalid.field("languages", gettext("Give at least one language."))
    return ",".join(codes)


@transaction.atomic
def trainer_add(
    *,
    actor: Principal,
    email: str,
    name: str = "",
    languages: Sequence[str] = ("en",),
    timezone: str = "UTC",
    now: datetime | None = None,
) -> User:
    """Staff add a trainer to the pool; they get a sign-in link by email."""
    require_staff(actor)
    now = clock.resolve(now)
    zone(timezone)
    codes = _languages(languages)
    trainer = user_ensure(email=email, role="trainer", name=name.strip())
    TrainerProfile.objects.update_or_create(
        user=trainer, defaults={"languages": codes, "timezone": timezone}
    )
    login_link_send(user=trainer, now=now)
    audit_log(actor=actor, action="trainer_added", obj=trainer, at=now)
    return trainer


@transaction.atomic
def trainer_profile_update(
    *,
    actor: Principal,
    trainer: User,
    name: str | None = None,
    languages: Sequence[str] | None = None,
    timezone: str | None = None,
    now: datetime | None = None,
) -> TrainerProfile:
    require_self_or_staff(actor, trainer)
    now = clock.resolve(now)
    profile = profile_of(trainer)
    if name is not None:
        if not name.strip():
            raise Invalid.field("name", gettext("Give your name."))
        trainer.name = name.strip()
        trainer.save(update_fields=["name"])
    if languages is not None:
        profile.languages = _languages(languages)
    if timezone is not None:
        zone(timezone)
        profile.timezone = timezone
    profile.save()
    audit_log(actor=actor, action="trainer_profile_updated", obj=trainer, at=now)
    return profile


MAX_DAYS = 92  # a quarter's days at most


@transaction.atomic
def availability_set(
    *,
    actor: Principal,
    trainer: User,
    quarter: str,
    days: Sequence[date] = (),
    weeks: Sequence[date] = (),
    now: datetime | None = None,
) -> list[Availability]:
    """Replace the days a trainer can teach in a quarter: single days, and weeks given by
    their Monday (a week runs Monday to Sunday and may end in the next quarter). Every day
    and every week's Monday lies in the quarter."""
    require_self_or_staff(actor, trainer)
    now = clock.resolve(now)
    q = Quarter.parse(quarter)
    if len(days) > MAX_DAYS or len(weeks) > MAX_DAYS // 7 + 1:
        raise Invalid(gettext("Too many days or weeks for one quarter."))
    for field, values in (("days", days), ("weeks", weeks)):
        for value in values:
            if not q.first_day <= value <= q.last_day:
                raise Invalid.field(
                    field,
                    gettext("%(day)s is not in %(quarter)s.")
                    % {"day": f"{value:%Y-%m-%d}", "quarter": q},
                )
    for monday in weeks:
        if monday.weekday() != 0:
            raise Invalid.field(
                "weeks",
                gettext("Give each week by its Monday; %(day)s is not.")
                % {"day": f"{monday:%Y-%m-%d}"},
            )
    ranges = sorted({(d, d) for d in days} | {(m, m + timedelta(days=6)) for m in weeks})
    Availability.objects.filter(trainer=trainer, quarter=str(q)).delete()
    rows = Availability.objects.bulk_create(
        Availability(trainer=trainer, quarter=str(q), first_day=a, last_day=b, created_at=now)
        for a, b in ranges
    )
    audit_log(
        actor=actor,
        action="trainer_availability_set",
        obj=trainer,
        at=now,
        data={"quarter": str(q), "days": len(days), "weeks": len(weeks)},
    )
    return rows


def trainer_assign(
    *, actor: Principal, event: Event, trainer: User, now: datetime | None = None
) -> Event:
    """Staff add a trainer to an event; the event's services queue the trainers' notice."""
    require_staff(actor)
    current = list(event.trainers.values_list("pk", flat=True))
    if trainer.pk in current:
        return event
    return event_update(
        actor=actor, event=event, changes={"trainer_ids": [*current, trainer.pk]}, now=now
    )
