"""Attendance outcomes, checkout steps, deadlines and extensions.

The training is passed with no more than `ATTENDANCE_MAX_MISSED_MINUTES` (60) missed in
total; a no-show fails; the seat is used either way. A pass opens checkout: every step of
`CHECKOUT_REQUIREMENTS` must pass by the deadline (the event's last day in its zone +
`CHECKOUT_DAYS`), which staff extend in blocks of `EXTENSION_MONTHS` up to
`CHECKOUT_CEILING_DAYS` after the event; the dates are defined in `events.deadlines`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction

from lectern.certificates.services import certificate_award
from lectern.checkout.models import (
    ActivityKind,
    AttendanceOutcome,
    Checkout,
    CheckoutStatus,
    Evidence,
    Extension,
    Step,
    StepState,
)
from lectern.checkout.selectors import step_evaluable_by
from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.errors import Conflict, Forbidden, Invalid, NotFound
from lectern.core.links import github_repository, web_link
from lectern.core.locking import lock
from lectern.core.permissions import Principal, require_staff
from lectern.events.deadlines import (
    checkout_ceiling,
    checkout_ceiling_span,
    checkout_closes_at,
    checkout_deadline,
)
from lectern.events.models import Event, EventStatus, Session
from lectern.events.timezones import zone
from lectern.memberships.models import Membership, SeatEntryKind
from lectern.memberships.selectors import add_months
from lectern.memberships.services import ledger_append
from lectern.registrations import emails
from lectern.registrations.models import Registration, RegistrationStatus, Trainee


def deadline_passed_at(checkout: Checkout) -> datetime:
    """The instant the deadline day ends, in the event's zone."""
    return checkout_closes_at(checkout.deadline, checkout.registration.event.timezone)


def require_event_teacher(actor: Principal, event: Event) -> None:
    """Staff, or a trainer of this event."""
    if actor.is_staff:
        return
    if actor.user is not None and event.trainers.filter(pk=actor.user.pk).exists():
        return
    raise NotFound(f"No event with id {event.pk} is visible to you.")


@dataclass(frozen=True)
class AttendanceRecord:
    registration_id: int
    minutes_missed: int | None = None  # total; or per session below
    sessions: dict[int, int] | None = None  # session id -> minutes missed


@transaction.atomic
def attendance_record(
    *,
    actor: Principal,
    event: Event,
    records: Sequence[AttendanceRecord],
    now: datetime | None = None,
) -> list[Registration]:
    """Record minutes missed and decide each outcome; the seat is used either way. When every
    confirmed registration has an outcome, the event is completed."""
    require_event_teacher(actor, event)
    now = clock.resolve(now)
    event = lock(events=[event.pk]).events[event.pk]
    if event.first_start > now and not actor.is_staff:
        raise Conflict(
            "Attendance can be recorded once the event has started.", code="event_not_started"
        )
    if event.status == EventStatus.CANCELLED:
        raise Conflict("This event was cancelled.", code="event_cancelled")
    sessions = list(event.sessions.all())
    total = sum(int((s.end - s.start).total_seconds() // 60) for s in sessions)
    by_id = {
        r.pk: r
        for r in Registration.objects.select_related("trainee", "event").filter(
            event=event,
            status__in=[
                RegistrationStatus.CONFIRMED,
                RegistrationStatus.ATTENDED,
                RegistrationStatus.FAILED,
            ],
            pk__in=[r.registration_id for r in records],
        )
    }
    memberships = lock(memberships={r.membership_id for r in by_id.values()}).memberships
    done = []
    for index, record in enumerate(records):
        registration = by_id.get(record.registration_id)
        if registration is None:
            raise Invalid.field(
                f"records.{index}.registration_id",
                f"Registration {record.registration_id} is not at this event.",
            )
        missed = _minutes(record, sessions, index)
        membership = memberships[registration.membership_id]
        done.append(_outcome(actor, registration, membership, missed, total, now))
    if not event.registrations.filter(status=RegistrationStatus.CONFIRMED).exists():
        event.status = EventStatus.COMPLETED
        event.save(update_fields=["status"])
    return done


def _minutes(record: AttendanceRecord, sessions: list[Session], index: int) -> int:
    field = f"records.{index}.minutes_missed"
    if record.sessions:
        lengths = {s.pk: int((s.end - s.start).total_seconds() // 60) for s in sessions}
        for session_id, minutes in record.sessions.items():
            if session_id not in lengths:
                raise Invalid.field(field, f"Session {session_id} is not part of this event.")
            if not 0 <= minutes <= lengths[session_id]:
                raise Invalid.field(field, f"Between 0 and {lengths[session_id]} minutes.")
        return sum(record.sessions.values())
    if record.minutes_missed is None or record.minutes_missed < 0:
        raise Invalid.field(field, "Give the minutes missed (0 or more).")
    return record.minutes_missed


def _outcome(
    actor: Principal,
    registration: Registration,
    membership: Membership,
    missed: int,
    total: int,
    now: datetime,
) -> Registration:
    limit = settings.LECTERN["ATTENDANCE_MAX_MISSED_MINUTES"]
    no_show = total > 0 and missed >= total
    passed = missed <= limit and not no_show
    first_time = registration.status == RegistrationStatus.CONFIRMED
    AttendanceOutcome.objects.update_or_create(
        registration=registration,
        defaults={
            "minutes_missed": min(missed, total),
            "passed": passed,
            "no_show": no_show,
            "recorded_at": now,
            "recorded_by": actor.label,
            "made_up": False,
        },
    )
    registration.status = RegistrationStatus.ATTENDED if passed else RegistrationStatus.FAILED
    registration.changed_at = now
    registration.save(update_fields=["status", "changed_at"])
    if first_time:
        ledger_append(
            membership=membership,
            kind=SeatEntryKind.USED,
            delta=1,
            actor=actor,
            at=now,
            registration_id=registration.pk,
            reason="training attended"
            if passed
            else ("no-show" if no_show else f"training failed ({missed} minutes missed)"),
        )
    if passed:
        checkout_open(registration=registration, now=now)
    else:
        Checkout.objects.filter(
            registration=registration, status=CheckoutStatus.IN_PROGRESS
        ).delete()
    audit_log(
        actor=actor,
        action="attendance_recorded",
        obj=registration,
        at=now,
        data={"minutes_missed": missed, "passed": passed, "no_show": no_show},
    )
    emails.to_trainee(
        "attendance_result",
        registration,
        now=now,
        passed=passed,
        missed=missed,
        no_show=no_show,
        limit=settings.LECTERN["ATTENDANCE_MAX_MISSED_MINUTES"],
        deadline=checkout_deadline(registration.event),
    )
    return registration


@transaction.atomic
def attendance_makeup(
    *, actor: Principal, registration: Registration, now: datetime | None = None
) -> Registration:
    """Staff record a makeup meeting: up to `MAKEUP_MAX_MISSED_MINUTES` missed then count as
    passed (only when makeup is enabled)."""
    require_staff(actor)
    now = clock.resolve(now)
    if not settings.LECTERN["MAKEUP_ENABLED"]:
        raise Conflict("Makeup meetings are not enabled.", code="makeup_disabled")
    outcome = (
        AttendanceOutcome.objects.select_for_update().filter(registration=registration).first()
    )
    if outcome is None or outcome.passed:
        raise Conflict("Only a failed attendance can be made up.", code="nothing_to_make_up")
    if outcome.no_show or outcome.minutes_missed > settings.LECTERN["MAKEUP_MAX_MISSED_MINUTES"]:
        raise Conflict(
            "Too much of the training was missed to make it up.", code="makeup_not_possible"
        )
    outcome.passed = outcome.made_up = True
    outcome.save(update_fields=["passed", "made_up"])
    registration.status = RegistrationStatus.ATTENDED
    registration.changed_at = now
    registration.save(update_fields=["status", "changed_at"])
    checkout_open(registration=registration, now=now)
    audit_log(actor=actor, action="attendance_made_up", obj=registration, at=now)
    return registration


def checkout_open(*, registration: Registration, now: datetime) -> Checkout:
    """Open (or re-open after a new training) the trainee's checkout."""
    checkout, _ = Checkout.objects.update_or_create(
        trainee=registration.trainee,
        defaults={
            "registration": registration,
            "status": CheckoutStatus.IN_PROGRESS,
            "deadline": checkout_deadline(registration.event),
            "started_at": now,
            "certified_at": None,
        },
    )
    for requirement in settings.LECTERN["CHECKOUT_REQUIREMENTS"]:
        Step.objects.get_or_create(
            checkout=checkout, requirement=requirement, defaults={"updated_at": now}
        )
    return checkout


def _checkout(trainee: Trainee) -> Checkout:
    checkout = (
        Checkout.objects.select_for_update()
        .select_related("registration__event", "trainee")
        .filter(trainee=trainee)
        .first()
    )
    if checkout is None:
        raise Conflict("This trainee has not passed a training yet.", code="checkout_not_started")
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


def evidence_check(
    requirement: str, evidence: EvidenceIn, *, first_day: date, today: date
) -> EvidenceIn:
    """Validate a step's evidence: any link is an http(s) address with a host, any date lies
    between the training's first day and today (inclusive); a Get Involved activity has the
    details its type needs, and a GitHub contribution is in an allowed organisation."""
    url = evidence.url.strip()
    if len(url) > URL_MAX_LENGTH:
        raise Invalid.field("url", f"Give a web address of up to {URL_MAX_LENGTH} characters.")
    if evidence.kind and evidence.kind not in ActivityKind.values:
        raise Invalid.field("kind", "Choose served, github, meeting or other.")
    errors: dict[str, list[str]] = {}
    if url and web_link(url) is None:
        errors.setdefault("url", []).append("Give a full web address (https://…).")
    if evidence.date and not first_day <= evidence.date <= today:
        errors.setdefault("date", []).append(
            f"Give a date between the training ({first_day:%Y-%m-%d}) and today ({today:%Y-%m-%d})."
        )
    if requirement == "get_involved":
        if evidence.kind not in ActivityKind.values:
            raise Invalid.field("kind", "Choose served, github, meeting or other.")
        for name in EVIDENCE_RULES[ActivityKind(evidence.kind)]:
            if not getattr(evidence, name):
                errors.setdefault(name, []).append(f"Give the {name} of the activity.")
        if evidence.kind == ActivityKind.GITHUB and url and "url" not in errors:
            allowed = settings.LECTERN["GITHUB_ALLOWED_ORGS"]
            repository = github_repository(url)
            if repository is None or repository[0] not in allowed:
                errors.setdefault("url", []).append(
                    "Give a github.com repository of one of: " + ", ".join(allowed) + "."
                )
    if errors:
        raise Invalid("The evidence is incomplete or not valid.", fields=errors)
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
    now: datetime | None = None,
) -> Checkout:
    """A trainee submits a step; staff (trainers, for the teaching demo) evaluate it. When the
    last step passes, the trainee is certified, once."""
    now = clock.resolve(now)
    requirements = settings.LECTERN["CHECKOUT_REQUIREMENTS"]
    if requirement not in requirements:
        raise Invalid.field("requirement", f"Choose one of {', '.join(requirements)}.")
    if state not in StepState.values or state == StepState.NOT_STARTED:
        raise Invalid.field("state", "Choose submitted, passed, asked_to_repeat or failed.")
    checkout = _checkout(trainee)
    _may_record(actor, checkout, requirement, state)
    if checkout.status == CheckoutStatus.EXPIRED:
        raise Conflict(
            "The checkout deadline has passed; staff can reopen it.", code="checkout_expired"
        )
    if checkout.status == CheckoutStatus.CERTIFIED:
        raise Conflict("This trainee is already certified.", code="already_certified")
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
        reason=notes,
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
            raise Forbidden("Trainees submit steps; staff evaluate them.")
        raise NotFound("No such trainee.")
    if step_evaluable_by(actor, checkout, requirement):
        return
    raise Forbidden(
        "Only staff, or a trainer of the trainee's training for the teaching demo, "
        "evaluate checkout steps."
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
    """Expire checkouts whose deadline day has ended in the event's zone."""
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
                emails.to_trainee(
                    "checkout_expired",
                    checkout.registration,
                    key=f"{checkout.deadline:%Y%m%d}",
                    about=checkout,
                    now=now,
                    deadline=checkout.deadline,
                )
    return expired
