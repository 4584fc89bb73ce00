"""Checkout steps, deadlines and extensions (attendance lives in `checkout.attendance`,
re-exported here for the callers that record both).

A passed training opens checkout: every step of
`CHECKOUT_REQUIREMENTS` must pass by the deadline (the event's last day in its zone +
`CHECKOUT_DAYS`), which staff extend in blocks of `EXTENSION_MONTHS` up to
`CHECKOUT_CEILING_DAYS` after the event; the dates are defined in `events.deadlines`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lectern.certificates.services import certificate_award
from lectern.checkout.attendance import (
    AttendanceRecord as AttendanceRecord,
)
from lectern.checkout.attendance import (
    attendance_makeup as attendance_makeup,
)
from lectern.checkout.attendance import (
    attendance_record as attendance_record,
)
from lectern.checkout.attendance import (
    checkout_open as checkout_open,
)
from lectern.checkout.attendance import (
    require_event_teacher as require_event_teacher,
)
from lectern.checkout.models import (
    ActivityKind,
    Checkout,
    CheckoutStatus,
    Evidence,
    Extension,
    Step,
    StepState,
)
from lectern.checkout.selectors import step_evaluable_by
from lectern.checkout_sessions.places import future_signups_release
from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.errors import Conflict, Forbidden, Invalid, NotFound
from lectern.core.links import github_repository, web_link
from lectern.core.permissions import Principal, require_staff
from lectern.events.deadlines import (
    checkout_ceiling,
    checkout_ceiling_span,
    checkout_closes_at,
)
from lectern.events.timezones import zone
from lectern.memberships.selectors import add_months
from lectern.registrations import emails
from lectern.registrations.models import Trainee


def deadline_passed_at(checkout: Checkout) -> datetime:
    """The instant the deadline day ends, in the event's zone."""
    return checkout_closes_at(checkout.deadline, checkout.registration.event.timezone)


def _checkout(trainee: Trainee) -> Checkout:
    checkout = (
        Checkout.objects.select_for_update()
        .select_related("registration__event", "trainee")
        .filter(trainee=trainee)
        .first()
    )
    if checkout is None:
        raise Conflict(
            gettext("This trainee has not passed a training yet."), code="checkout_not_started"
        )
    return checkout


EVIDENCE_RULES = {
    ActivityKind.SERVED: ("date", "url"),
    ActivityKind.GITHUB: ("date", "url"),
    ActivityKind.MEETING: ("date", "description"),
    ActivityKind.OTHER: ("date", "description"),
}


@dataclass(frozen=True)
class EvidenceIn:
    kind: str = ""
    date: date | None = None
    url: str = ""
    description: str = ""


URL_MAX_LENGTH = Evidence._meta.get_field("url").max_length or 500
KIND_MISSING = _("Choose the kind of Get Involved activity: served, GitHub, meeting or other.")
DETAIL_MISSING = {
    "date": _("Give the date of the activity."),
    "url": _("Give the url of the activity."),
    "description": _("Give the description of the activity."),
}


def evidence_check(
    requirement: str, evidence: EvidenceIn, *, first_day: date, today: date
) -> EvidenceIn:
    """Validate a step's evidence: any link is an http(s) address with a host, any date lies
    between the training's first day and today (inclusive); a Get Involved activity has the
    details its type needs, and a GitHub contribution is in an allowed organisation."""
    url = evidence.url.strip()
    if len(url) > URL_MAX_LENGTH:
        raise Invalid.field(
            "url",
            gettext("Give a web address of up to %(count)d characters.")
            % {"count": URL_MAX_LENGTH},
        )
    if evidence.kind and evidence.kind not in ActivityKind.values:
        raise Invalid.field("kind", KIND_MISSING)
    errors: dict[str, list[str]] = {}
    if url and web_link(url) is None:
        errors.setdefault("url", []).append(gettext("Give a full web address (https://…)."))
    if evidence.date and not first_day <= evidence.date <= today:
        errors.setdefault("date", []).append(
            gettext("Give a date between the training (%(first)s) and today (%(today)s).")
            % {"first": f"{first_day:%Y-%m-%d}", "today": f"{today:%Y-%m-%d}"}
        )
    if requirement == "get_involved":
        if evidence.kind not in ActivityKind.values:
            raise Invalid.field("kind", KIND_MISSING)
        for name in EVIDENCE_RULES[ActivityKind(evidence.kind)]:
            if not getattr(evidence, name):
                errors.setdefault(name, []).append(str(DETAIL_MISSING[name]))
        if evidence.kind == ActivityKind.GITHUB and url and "url" not in errors:
            allowed = settings.LECTERN["GITHUB_ALLOWED_ORGS"]
            repository = github_repository(url)
            if repository is None or repository[0] not in allowed:
                errors.setdefault("url", []).append(
                    gettext("Give a github.com repository of one of: %(organisations)s.")
                    % {"organisations": ", ".join(allowed)}
                )
    if errors:
        raise Invalid(gettext("The evidence is incomplete or not valid."), fields=errors)
    return evidence


@transaction.atomic
def progress_record(
    *,
    actor: Principal,
    trainee: Trainee,
    requirement: str,
    state: str,
    evidence: EvidenceIn | None = None,
    notes: str = "",
    reason: str = "",
    now: datetime | None = None,
) -> Checkout:
    """A trainee submits a step; staff (the host of a welcome session or teaching demo, a
    trainer for the teaching demo: `checkout.selectors.steps_evaluable_by`) evaluate it;
    staff recording a step by hand give `reason`, kept in the audit trail. When the last
    step passes, the trainee is certified, once."""
    now = clock.resolve(now)
    requirements = settings.LECTERN["CHECKOUT_REQUIREMENTS"]
    if requirement not in requirements:
        raise Invalid.field(
            "requirement", gettext("Choose one of %(steps)s.") % {"steps": ", ".join(requirements)}
        )
    if state not in StepState.values or state == StepState.NOT_STARTED:
        raise Invalid.field(
            "state", gettext("Choose submitted, passed, asked_to_repeat or failed.")
        )
    checkout = _checkout(trainee)
    _may_record(actor, checkout, requirement, state)
    if checkout.status == CheckoutStatus.EXPIRED:
        raise Conflict(
            gettext("The checkout deadline has passed; staff can reopen it."),
            code="checkout_expired",
        )
    if checkout.status == CheckoutStatus.CERTIFIED:
        raise Conflict(gettext("This trainee is already certified."), code="already_certified")
    step = Step.objects.select_for_update().get(checkout=checkout, requirement=requirement)
    if state == StepState.SUBMITTED and evidence is not None:
        event = checkout.registration.event
        evidence = evidence_check(
            requirement,
            evidence,
            first_day=event.first_local_date,
            today=now.astimezone(zone(event.timezone)).date(),
        )
        Evidence.objects.create(
            step=step,
            kind=evidence.kind,
            date=evidence.date,
            url=evidence.url.strip(),
            description=evidence.description,
            submitted_at=now,
        )
    step.state = state
    step.updated_at = now
    step.notes = notes
    step.evaluated_by = "" if state == StepState.SUBMITTED else actor.label
    step.save(update_fields=["state", "updated_at", "notes", "evaluated_by"])
    audit_log(
        actor=actor,
        action="checkout_progress",
        obj=checkout,
        at=now,
        reason=reason.strip() or notes,
        data={"requirement": requirement, "state": state},
    )
    if not checkout.steps.exclude(state=StepState.PASSED).exists():
        certificate_award(checkout=checkout, now=now)
    return checkout


def _may_record(actor: Principal, checkout: Checkout, requirement: str, state: str) -> None:
    if actor.is_staff:
        return
    if actor.trainee_id is not None or actor.registration_id is not None:
        if actor.acts_as_trainee(checkout.trainee_id):  # a personal link; a manage link never
            if state == StepState.SUBMITTED:
                return
            raise Forbidden(gettext("Trainees submit steps; staff evaluate them."))
        raise NotFound(gettext("No such trainee."))
    if step_evaluable_by(actor, checkout, requirement):
        return
    raise Forbidden(
        gettext(
            "Only staff, or a trainer of the trainee's training for the teaching demo, "
            "evaluate checkout steps."
        )
    )


@transaction.atomic
def extension_grant(
    *, actor: Principal, trainee: Trainee, reason: str, now: datetime | None = None
) -> Checkout:
    """Move the deadline by one block (`EXTENSION_MONTHS`), never past the ceiling
    (`CHECKOUT_CEILING_DAYS` after the event)."""
    require_staff(actor)
    reason = reason.strip()
    if not reason:
        raise Invalid.field("reason", "Give the reason for the extension.")
    now = clock.resolve(now)
    checkout = _checkout(trainee)
    if checkout.status == CheckoutStatus.CERTIFIED:
        raise Conflict("This trainee is already certified.", code="already_certified")
    ceiling = checkout_ceiling(checkout.registration.event)
    if checkout.deadline >= ceiling:
        raise Conflict(
            f"The deadline is already at the limit of {ceiling:%d %B %Y}, "
            f"{checkout_ceiling_span()} after the event's last day.",
            code="extension_ceiling",
        )
    new = min(add_months(checkout.deadline, settings.LECTERN["EXTENSION_MONTHS"]), ceiling)
    Extension.objects.create(
        checkout=checkout,
        previous_deadline=checkout.deadline,
        new_deadline=new,
        reason=reason,
        granted_by=actor.user,
        granted_by_label=actor.label,
        granted_at=now,
    )
    checkout.deadline = new
    if checkout.status == CheckoutStatus.EXPIRED:
        checkout.status = CheckoutStatus.IN_PROGRESS
    checkout.save(update_fields=["deadline", "status"])
    emails.to_trainee(
        "extension_granted",
        checkout.registration,
        about=checkout.extensions.last(),
        now=now,
        deadline=new,
        reason=reason,
    )
    return checkout


@transaction.atomic
def checkout_reopen(
    *, actor: Principal, trainee: Trainee, reason: str, now: datetime | None = None
) -> Checkout:
    """Staff reopen an expired checkout by granting an extension."""
    return extension_grant(actor=actor, trainee=trainee, reason=reason, now=now)


def checkouts_expire(*, now: datetime) -> int:
    """Expire checkouts whose deadline day has ended in the event's zone; the trainee's
    places on sessions that have not started are given back."""
    expired = 0
    horizon = (now + timedelta(days=1)).date()
    for checkout in Checkout.objects.select_related("registration__event", "trainee").filter(
        status=CheckoutStatus.IN_PROGRESS, deadline__lt=horizon
    ):
        if deadline_passed_at(checkout) > now:
            continue
        with transaction.atomic():
            if Checkout.objects.filter(pk=checkout.pk, status=CheckoutStatus.IN_PROGRESS).update(
                status=CheckoutStatus.EXPIRED
            ):
                expired += 1
                future_signups_release(
                    trainee_id=checkout.trainee_id, why="checkout expired", now=now
                )
                emails.to_trainee(
                    "checkout_expired",
                    checkout.registration,
                    key=f"{checkout.deadline:%Y%m%d}",
                    about=checkout,
                    now=now,
                    deadline=checkout.deadline,
                )
    return expired
