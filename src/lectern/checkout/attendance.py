"""Attendance: minutes missed per trainee and session, the result they decide, and closing.

The session rows (`SessionAttendance`) are what was recorded; the outcome
(`AttendanceOutcome`) is what they decide once every session of the registration has a row
(more than `ATTENDANCE_MAX_MISSED_MINUTES` missed in total fails; missing every session is a
no-show). The seat is used with the first outcome, never twice. Re-sending what is recorded
changes nothing and sends nothing. A changed outcome is a new revision: the trainee is told
(the email's deduplication key is the revision), and checkout opens or closes with it. A
certified instructor's result changes only when staff confirm it with a reason, which revokes
the certificate (and so the directory entry).

A session is recorded once it has started; staff record history with a reason. At the
event's end + `ATTENDANCE_CLOSING_DAYS` (`events.deadlines.ATTENDANCE_CLOSING`) the event
completes: a session without a row counts as absent, a registration without any row fails as
a no-show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext

from lectern.certificates.models import Certificate
from lectern.certificates.services import certificate_revoke
from lectern.checkout.models import (
    AttendanceOutcome,
    Checkout,
    CheckoutStatus,
    SessionAttendance,
    Step,
)
from lectern.checkout_sessions.places import future_signups_release
from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.errors import Conflict, Invalid, NotFound
from lectern.core.locking import lock
from lectern.core.permissions import Principal, require_staff
from lectern.events.deadlines import ATTENDANCE_CLOSING, checkout_deadline, instant_text
from lectern.events.models import Event, EventStatus, Session
from lectern.memberships.models import Membership, SeatEntryKind
from lectern.memberships.services import ledger_append
from lectern.registrations import emails
from lectern.registrations.models import Registration, RegistrationStatus

RECORDABLE = (RegistrationStatus.CONFIRMED, RegistrationStatus.ATTENDED, RegistrationStatus.FAILED)


def require_event_teacher(actor: Principal, event: Event) -> None:
    """Staff, or a trainer of this event."""
    if actor.is_staff:
        return
    if actor.user is not None and event.trainers.filter(pk=actor.user.pk).exists():
        return
    raise NotFound(f"No event with id {event.pk} is visible to you.")


def session_minutes(session: Session) -> int:
    return int((session.end - session.start).total_seconds() // 60)


@dataclass(frozen=True)
class AttendanceRecord:
    """What a caller records for one registration: minutes missed per session (1-based
    `session_index` -> minutes), or one total for the whole training."""

    registration_id: int
    minutes_missed: int | None = None
    sessions: dict[int, int] | None = None


@dataclass(frozen=True)
class Result:
    minutes_missed: int
    passed: bool
    no_show: bool
    made_up: bool = False

    @property
    def registration_status(self) -> str:
        return RegistrationStatus.ATTENDED if self.passed else RegistrationStatus.FAILED


def result_of(missed: dict[int, int], sessions: Sequence[Session], made_up: bool) -> Result:
    """The result of complete session rows (session id -> minutes missed): more than the
    limit in total fails; missing every session is a no-show. A makeup meeting recorded
    for this result keeps it passed while it stays within `MAKEUP_MAX_MISSED_MINUTES`."""
    lectern = settings.LECTERN
    total = sum(missed.get(s.pk, session_minutes(s)) for s in sessions)
    no_show = all(missed.get(s.pk, session_minutes(s)) >= session_minutes(s) for s in sessions)
    passed = total <= lectern["ATTENDANCE_MAX_MISSED_MINUTES"] and not no_show
    made_up = (
        made_up
        and lectern["MAKEUP_ENABLED"]
        and not passed
        and not no_show
        and total <= lectern["MAKEUP_MAX_MISSED_MINUTES"]
    )
    return Result(total, passed or made_up, no_show, made_up)


def _spread(total: int, sessions: Sequence[Session]) -> dict[int, int]:
    """One total kept against the sessions in order: the first session first."""
    spread, left = {}, total
    for session in sessions:
        spread[session.pk] = min(left, session_minutes(session))
        left -= spread[session.pk]
    return spread


def _not_started(session: Session, index: int, event: Event) -> Conflict:
    return Conflict(
        gettext(
            "Session %(number)d starts %(start)s: attendance is recorded once a session has "
            "started (staff may record history with a reason)."
        )
        % {"number": index, "start": instant_text(session.start, event.timezone)},
        code="session_not_started",
    )


def _wanted(
    record: AttendanceRecord,
    sessions: Sequence[Session],
    event: Event,
    position: int,
    history: bool,
    now: datetime,
) -> dict[int, int]:
    """The session rows a record asks for (session id -> minutes), validated."""
    prefix = f"records.{position}"
    if record.sessions:
        wanted = {}
        for index, minutes in sorted(record.sessions.items()):
            if not 1 <= index <= len(sessions):
                raise Invalid.field(
                    f"{prefix}.sessions",
                    gettext("Session %(number)d is not part of this event (1 to %(count)d).")
                    % {"number": index, "count": len(sessions)},
                )
            session = sessions[index - 1]
            if not 0 <= minutes <= session_minutes(session):
                raise Invalid.field(
                    f"{prefix}.sessions",
                    gettext("Session %(number)d: between 0 and %(minutes)d minutes.")
                    % {"number": index, "minutes": session_minutes(session)},
                )
            if session.start > now and not history:
                raise _not_started(session, index, event)
            wanted[session.pk] = minutes
        return wanted
    if record.minutes_missed is None or record.minutes_missed < 0:
        raise Invalid.field(
            f"{prefix}.minutes_missed", gettext("Give the minutes missed (0 or more).")
        )
    for index, session in enumerate(sessions, start=1):
        if session.start > now and not history:
            raise _not_started(session, index, event)
    whole = sum(session_minutes(s) for s in sessions)
    return _spread(min(record.minutes_missed, whole), sessions)


@transaction.atomic
def attendance_record(
    *,
    actor: Principal,
    event: Event,
    records: Sequence[AttendanceRecord],
    reason: str = "",
    now: datetime | None = None,
) -> list[Registration]:
    """Record minutes missed and decide each complete registration's result. `reason` (staff
    only) records sessions that have not started (history) and confirms a correction of a
    certified instructor. When no registration is left without a result, the event is
    completed."""
    require_event_teacher(actor, event)
    now = clock.resolve(now)
    reason = reason.strip()
    if reason:
        require_staff(actor)
    event = lock(events=[event.pk]).events[event.pk]
    if event.status == EventStatus.CANCELLED:
        raise Conflict(gettext("This event was cancelled."), code="event_cancelled")
    sessions = list(event.sessions.all())
    by_id = {
        r.pk: r
        for r in Registration.objects.select_related("trainee", "event").filter(
            event=event,
            status__in=RECORDABLE,
            pk__in=[r.registration_id for r in records if abs(r.registration_id) < 2**63],
        )
    }
    for index, record in enumerate(records):
        if record.registration_id not in by_id:
            raise Invalid.field(
                f"records.{index}.registration_id",
                gettext("Registration %(id)s is not at this event.")
                % {"id": record.registration_id},
            )
    wanted = {
        record.registration_id: _wanted(record, sessions, event, i, bool(reason), now)
        for i, record in enumerate(records)
    }
    memberships = lock(memberships={r.membership_id for r in by_id.values()}).memberships
    done = []
    for registration_id, rows in wanted.items():
        registration = by_id[registration_id]
        recorded = _rows_write(registration, rows)
        if len(recorded) == len(sessions):
            _result_apply(
                actor,
                registration,
                memberships[registration.membership_id],
                result_of(recorded, sessions, _made_up(registration)),
                reason=reason,
                now=now,
            )
        done.append(registration)
    event_complete_if_recorded(event, now)
    return done


def _rows_write(registration: Registration, wanted: dict[int, int]) -> dict[int, int]:
    """Write the session rows that differ from what is recorded; return all rows now held
    (session id -> minutes missed)."""
    recorded = dict(
        SessionAttendance.objects.filter(registration=registration).values_list(
            "session_id", "minutes_missed"
        )
    )
    for session_id, minutes in wanted.items():
        if recorded.get(session_id) == minutes:
            continue
        SessionAttendance.objects.update_or_create(
            registration=registration, session_id=session_id, defaults={"minutes_missed": minutes}
        )
        recorded[session_id] = minutes
    return recorded


def _made_up(registration: Registration) -> bool:
    outcome = AttendanceOutcome.objects.filter(registration=registration).first()
    return outcome is not None and outcome.made_up


def event_complete_if_recorded(event: Event, now: datetime) -> None:
    """Complete a scheduled event once its sessions have started and no registration waits
    for a result."""
    if (
        event.status == EventStatus.SCHEDULED
        and not event.registrations.filter(status=RegistrationStatus.CONFIRMED).exists()
        and not event.sessions.filter(start__gt=now).exists()
    ):
        event.status = EventStatus.COMPLETED
        event.save(update_fields=["status"])


def _certified(registration: Registration) -> Checkout | None:
    return (
        Checkout.objects.select_for_update()
        .filter(registration=registration, status=CheckoutStatus.CERTIFIED)
        .first()
    )


def _result_apply(
    actor: Principal,
    registration: Registration,
    membership: Membership,
    result: Result,
    *,
    reason: str,
    now: datetime,
) -> None:
    """Make `result` the registration's outcome, if it is not already: a new revision, the
    seat used the first time, checkout opened or closed, the trainee told."""
    outcome = (
        AttendanceOutcome.objects.select_for_update().filter(registration=registration).first()
    )
    if outcome is not None and (
        outcome.minutes_missed,
        outcome.passed,
        outcome.no_show,
        outcome.made_up,
    ) == (result.minutes_missed, result.passed, result.no_show, result.made_up):
        return
    certified = _certified(registration) if outcome is not None else None
    if certified is not None:
        if not (actor.is_staff and reason):
            raise Conflict(
                gettext(
                    "%(name)s is a certified instructor: staff confirm a change of their "
                    "attendance with a reason, which revokes the certificate if the training "
                    "is no longer passed."
                )
                % {"name": registration.trainee.name},
                code="already_certified",
            )
        if not result.passed:
            _certificate_withdraw(actor, certified, reason, now)
    revision = outcome.revision + 1 if outcome is not None else 1
    first_time = outcome is None
    AttendanceOutcome.objects.update_or_create(
        registration=registration,
        defaults={
            "minutes_missed": result.minutes_missed,
            "passed": result.passed,
            "no_show": result.no_show,
            "made_up": result.made_up,
            "revision": revision,
            "recorded_at": now,
            "recorded_by": actor.label,
        },
    )
    registration.status = result.registration_status
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
            reason=_seat_reason(result),
        )
    was_passed = outcome is not None and outcome.passed
    if result.passed and not was_passed:
        checkout_open(registration=registration, now=now)
    elif was_passed and not result.passed:
        Checkout.objects.filter(registration=registration).exclude(
            status=CheckoutStatus.CERTIFIED
        ).delete()
        future_signups_release(
            trainee_id=registration.trainee_id, why="training failed on correction", now=now
        )
    audit_log(
        actor=actor,
        action="attendance_recorded" if first_time else "attendance_corrected",
        obj=registration,
        at=now,
        reason=reason,
        data={
            "minutes_missed": result.minutes_missed,
            "passed": result.passed,
            "no_show": result.no_show,
            "revision": revision,
        },
    )
    emails.to_trainee(
        "attendance_result",
        registration,
        key=f"r{revision}",
        now=now,
        passed=result.passed,
        missed=result.minutes_missed,
        no_show=result.no_show,
        made_up=result.made_up,
        correction=not first_time,
        limit=settings.LECTERN["ATTENDANCE_MAX_MISSED_MINUTES"],
        deadline=checkout_deadline(registration.event),
    )


def _seat_reason(result: Result) -> str:
    if result.passed:
        return "training attended"
    if result.no_show:
        return "no-show"
    return f"training failed ({result.minutes_missed} minutes missed)"


def _certificate_withdraw(actor: Principal, checkout: Checkout, reason: str, now: datetime) -> None:
    """A confirmed correction that fails a certified instructor: the certificate is revoked
    (which takes them out of the directory) and the checkout closes."""
    certificate = Certificate.objects.filter(trainee=checkout.trainee).first()
    if certificate is not None and certificate.revoked_at is None:
        certificate_revoke(
            actor=actor, certificate=certificate, reason=f"attendance corrected: {reason}", now=now
        )
    audit_log(
        actor=actor,
        action="directory_entry_removed",
        obj=checkout.trainee,
        at=now,
        reason=reason,
    )
    checkout.delete()


def checkout_open(*, registration: Registration, now: datetime) -> Checkout | None:
    """Open (or re-open after a new training) the trainee's checkout; a certified
    instructor's checkout stays as it is."""
    existing = Checkout.objects.filter(trainee=registration.trainee).first()
    if existing is not None and existing.status == CheckoutStatus.CERTIFIED:
        return None
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
    locked = lock(memberships=[registration.membership_id], registrations=[registration.pk])
    membership = locked.memberships[registration.membership_id]
    outcome = (
        AttendanceOutcome.objects.select_for_update().filter(registration=registration).first()
    )
    if outcome is None or outcome.passed:
        raise Conflict("Only a failed attendance can be made up.", code="nothing_to_make_up")
    if outcome.no_show or outcome.minutes_missed > settings.LECTERN["MAKEUP_MAX_MISSED_MINUTES"]:
        raise Conflict(
            "Too much of the training was missed to make it up.", code="makeup_not_possible"
        )
    registration = Registration.objects.select_related("trainee", "event").get(pk=registration.pk)
    _result_apply(
        actor,
        registration,
        membership,
        Result(outcome.minutes_missed, True, False, made_up=True),
        reason="",
        now=now,
    )
    audit_log(actor=actor, action="attendance_made_up", obj=registration, at=now)
    return registration


def attendance_close(*, event: Event, now: datetime) -> int:
    """Close one event's attendance: every registration still without a result gets one (a
    session without a row is absent, no row at all a no-show), and the event completes.
    Return how many registrations were decided."""
    with transaction.atomic():
        event = lock(events=[event.pk]).events[event.pk]
        if event.status != EventStatus.SCHEDULED or not ATTENDANCE_CLOSING.passed(event, now):
            return 0
        sessions = list(event.sessions.all())
        waiting = list(
            Registration.objects.select_related("trainee", "event").filter(
                event=event, status=RegistrationStatus.CONFIRMED
            )
        )
        memberships = lock(memberships={r.membership_id for r in waiting}).memberships
        system = Principal.as_system()
        for registration in waiting:
            recorded = dict(
                SessionAttendance.objects.filter(registration=registration).values_list(
                    "session_id", "minutes_missed"
                )
            )
            _result_apply(
                system,
                registration,
                memberships[registration.membership_id],
                result_of(recorded, sessions, made_up=False),
                reason="",
                now=now,
            )
        event.status = EventStatus.COMPLETED
        event.save(update_fields=["status"])
        audit_log(
            actor=system,
            action="attendance_closed",
            obj=event,
            at=now,
            data={"decided": len(waiting)},
        )
        return len(waiting)


def attendances_close(*, now: datetime) -> int:
    """Close the attendance of every scheduled event whose closing has come."""
    events = Event.objects.filter(ATTENDANCE_CLOSING.q(now=now, passed=True)).filter(
        status=EventStatus.SCHEDULED
    )
    return sum(attendance_close(event=event, now=now) for event in events)
