"""Welcome sessions and teaching demos: create, sign up, change, leave, record results,
cancel.

A session's places are taken and given back only here, under its row lock
(`core.locking.lock(checkout_sessions=...)`), as registrations take an event's places. A
trainee holds at most one sign-up awaiting its result per kind (a partial unique
constraint); signing up for another session of the same kind moves that sign-up, and both
sessions are locked, in id order. Sign-ups change until the session starts; results are
recorded from then on, by the host or staff, and pass (or not) the checkout step of the
session's kind through `checkout.services.progress_record`, with evidence naming the session.
Staff cancel a session with a reason: it stays on the calendar as cancelled, its sign-ups
give their places back (`checkout_sessions.places`) and each trainee is told.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from lectern.accounts.models import User
from lectern.checkout.models import Checkout, CheckoutStatus, Evidence, Step, StepState
from lectern.checkout.services import progress_record
from lectern.checkout_sessions.emails import cancelled_send
from lectern.checkout_sessions.errors import (
    AfterDeadline,
    CheckoutNotOpen,
    NotSignedUp,
    SessionCancelled,
    SessionFull,
    SessionHasResults,
    SessionNotStarted,
    SessionStarted,
    StepAlreadyPassed,
)
from lectern.checkout_sessions.models import (
    HAS_RESULT,
    HOLDS_PLACE,
    CheckoutSession,
    CheckoutSessionStatus,
    SessionKind,
    SessionSignup,
    SignupStatus,
)
from lectern.checkout_sessions.places import place_give_back, signup_release
from lectern.checkout_sessions.selectors import local_time_label
from lectern.core import clock
from lectern.core.audit import audit_log
from lectern.core.display import public_name
from lectern.core.errors import Invalid, NotFound
from lectern.core.links import web_link
from lectern.core.locking import lock
from lectern.core.permissions import Principal, require_staff
from lectern.events.deadlines import checkout_closes_at
from lectern.events.timezones import date_text, parse_local, to_instant, zone
from lectern.registrations.models import Trainee

# The results a host records, per kind, and the step state each gives (None: no change).
RESULTS: dict[str, dict[str, str | None]] = {
    SessionKind.WELCOME_SESSION: {
        SignupStatus.ATTENDED: StepState.PASSED,
        SignupStatus.ABSENT: None,
    },
    SessionKind.TEACHING_DEMO: {
        SignupStatus.PASSED: StepState.PASSED,
        SignupStatus.ASKED_TO_REPEAT: StepState.ASKED_TO_REPEAT,
        SignupStatus.FAILED: StepState.FAILED,
        SignupStatus.ABSENT: None,
    },
}


def host_check(kind: str, host: User) -> None:
    """A teaching demo is hosted by a trainer; a welcome session by staff or a trainer."""
    if not host.is_active:
        raise Invalid.field("host_id", "The host's account is not active.")
    if kind == SessionKind.TEACHING_DEMO and not host.is_trainer:
        raise Invalid.field("host_id", "A teaching demo is hosted by a trainer.")
    if not (host.is_trainer or host.is_staff):
        raise Invalid.field("host_id", "A welcome session is hosted by staff or a trainer.")


@transaction.atomic
def checkout_session_create(
    *,
    actor: Principal,
    kind: str,
    host: User,
    timezone: str,
    start: str,
    end: str,
    capacity: int,
    meeting_url: str,
    title: str = "",
    language: str = "en",
    now: datetime | None = None,
) -> CheckoutSession:
    """Staff put a session on the calendar: local times in its zone, stored in UTC."""
    require_staff(actor)
    now = clock.resolve(now)
    if kind not in SessionKind.values:
        raise Invalid.field("kind", "Choose welcome_session or teaching_demo.")
    host_check(kind, host)
    tz = zone(timezone)
    starts = to_instant(parse_local(start, "start"), tz, "start").instant
    ends = to_instant(parse_local(end, "end"), tz, "end").instant
    if ends <= starts:
        raise Invalid.field("end", "A session must end after it starts.")
    maximum = settings.LECTERN["CHECKOUT_SESSION_MAX_CAPACITY"]
    if not 1 <= capacity <= maximum:
        raise Invalid.field("capacity", f"Between 1 and {maximum}.")
    if web_link(meeting_url.strip()) is None:
        raise Invalid.field("meeting_url", "Give a full web address (https://…).")
    session = CheckoutSession.objects.create(
        kind=kind,
        title=title.strip(),
        host=host,
        timezone=timezone,
        start=starts,
        end=ends,
        capacity=capacity,
        meeting_url=meeting_url.strip(),
        language=language or "en",
        created_at=now,
    )
    audit_log(actor=actor, action="checkout_session_created", obj=session, at=now)
    return session


def _require_trainee_or_staff(actor: Principal, trainee: Trainee) -> None:
    if actor.is_staff or actor.acts_as_trainee(trainee.pk):
        return
    raise NotFound(gettext("No such trainee."))


def _open_signup(trainee: Trainee, kind: str) -> SessionSignup | None:
    return (
        SessionSignup.objects.select_related("session")
        .filter(trainee=trainee, kind=kind, status=SignupStatus.SIGNED_UP)
        .first()
    )


def signup_check(trainee: Trainee, session: CheckoutSession, now: datetime) -> None:
    """May this trainee sign up for this session now? (Capacity is checked under the lock.)"""
    if session.status == CheckoutSessionStatus.CANCELLED:
        raise SessionCancelled()
    if session.start <= now:
        raise SessionStarted(gettext("This session has started: choose a later one."))
    checkout = (
        Checkout.objects.select_related("registration__event").filter(trainee=trainee).first()
    )
    if (
        checkout is None
        or checkout.status != CheckoutStatus.IN_PROGRESS
        or session.kind not in settings.LECTERN["CHECKOUT_REQUIREMENTS"]
    ):
        raise CheckoutNotOpen()
    closes = checkout_closes_at(checkout.deadline, checkout.registration.event.timezone)
    if session.start >= closes:
        raise AfterDeadline(
            gettext(
                "This session starts after your checkout deadline (%(deadline)s): choose an "
                "earlier one, or ask for an extension."
            )
            % {"deadline": date_text(checkout.deadline)}
        )
    step = Step.objects.filter(checkout=checkout, requirement=session.kind).first()
    if step is not None and step.state == StepState.PASSED:
        raise StepAlreadyPassed(
            gettext("You have already passed the %(kind)s.") % {"kind": session.get_kind_display()}
        )


@transaction.atomic
def checkout_session_signup(
    *,
    actor: Principal,
    trainee: Trainee,
    session: CheckoutSession,
    now: datetime | None = None,
) -> SessionSignup:
    """Sign the trainee up for a session, or move their sign-up of this kind to it (until
    either session starts). Signing up again for the same session changes nothing."""
    _require_trainee_or_staff(actor, trainee)
    now = clock.resolve(now)
    current = _open_signup(trainee, session.kind)
    if current is not None and current.session_id == session.pk:
        return current
    locked = lock(
        checkout_sessions=[session.pk, *([current.session_id] if current else [])]
    ).checkout_sessions
    session = locked[session.pk]
    signup_check(trainee, session, now)
    current = _open_signup(trainee, session.kind)  # as it is now that the sessions are locked
    if current is not None and current.session.start <= now:
        raise SessionStarted(
            gettext("Your %(kind)s has started; its host records the result.")
            % {"kind": current.session.get_kind_display()}
        )
    if session.places_left < 1:
        raise SessionFull()
    if current is not None:
        place_give_back(
            current,
            locked.get(current.session_id) or current.session,
            now,
            status=SignupStatus.LEFT,
        )
    session.places_taken += 1
    session.save(update_fields=["places_taken"])
    signup, _ = SessionSignup.objects.update_or_create(
        session=session,
        trainee=trainee,
        defaults={
            "kind": session.kind,
            "status": SignupStatus.SIGNED_UP,
            "signed_up_at": now,
            "changed_at": now,
            "result_by": "",
            "result_at": None,
            "notes": "",
            "evidence": None,
        },
    )
    audit_log(
        actor=actor,
        action="checkout_session_signup",
        obj=trainee,
        at=now,
        data={"session": session.pk, "moved_from": current.session_id if current else None},
    )
    return signup


@transaction.atomic
def checkout_session_leave(
    *,
    actor: Principal,
    trainee: Trainee,
    session: CheckoutSession,
    now: datetime | None = None,
) -> SessionSignup:
    """Leave a session before it starts; the place is given back."""
    _require_trainee_or_staff(actor, trainee)
    now = clock.resolve(now)
    session = lock(checkout_sessions=[session.pk]).checkout_sessions[session.pk]
    signup = SessionSignup.objects.filter(
        session=session, trainee=trainee, status=SignupStatus.SIGNED_UP
    ).first()
    if signup is None:
        raise NotSignedUp()
    if session.start <= now:
        raise SessionStarted()
    place_give_back(signup, session, now, status=SignupStatus.LEFT)
    audit_log(
        actor=actor,
        action="checkout_session_left",
        obj=trainee,
        at=now,
        data={"session": session.pk},
    )
    return signup


def require_host(actor: Principal, session: CheckoutSession) -> None:
    """Staff, or the session's host; to anyone else the session is missing."""
    if actor.is_staff:
        return
    if actor.user is not None and actor.user.pk == session.host_id:
        return
    raise NotFound(f"No session with id {session.pk} is visible to you.")


@dataclass(frozen=True)
class ResultIn:
    trainee_id: int
    result: str
    notes: str = ""


@transaction.atomic
def checkout_session_results(
    *,
    actor: Principal,
    session: CheckoutSession,
    results: Sequence[ResultIn],
    now: datetime | None = None,
) -> list[SessionSignup]:
    """The host (or staff) records each attendee's result once the session has started: a
    welcome session attended passes `welcome_session`; a teaching demo's result is the
    step's state. The step's evidence names the session. Recording the same result again
    changes nothing."""
    require_host(actor, session)
    now = clock.resolve(now)
    # Locked, so that a cancellation and a result never both land.
    session = lock(checkout_sessions=[session.pk]).checkout_sessions[session.pk]
    if session.status == CheckoutSessionStatus.CANCELLED:
        raise SessionCancelled("This session was cancelled: it has no results.")
    if session.start > now:
        raise SessionNotStarted()
    allowed = RESULTS[session.kind]
    signups = {
        s.trainee_id: s
        for s in session.signups.select_related("trainee").filter(status__in=HOLDS_PLACE)
    }
    done = []
    for index, item in enumerate(results):
        if item.result not in allowed:
            raise Invalid.field(
                f"results.{index}.result",
                gettext("Choose one of %(results)s.") % {"results": ", ".join(allowed)},
            )
        signup = signups.get(item.trainee_id)
        if signup is None:
            raise Invalid.field(
                f"results.{index}.trainee_id",
                gettext("Trainee %(id)s is not signed up for this session.")
                % {"id": item.trainee_id},
            )
        if signup.status != item.result or signup.notes != item.notes:
            _result(actor, session, signup, item, allowed[item.result], now)
        done.append(signup)
    return done


def _result(
    actor: Principal,
    session: CheckoutSession,
    signup: SessionSignup,
    item: ResultIn,
    state: str | None,
    now: datetime,
) -> None:
    signup.status = item.result
    signup.notes = item.notes
    signup.result_by = actor.label
    signup.result_at = now
    if state is not None:
        step = Step.objects.filter(
            checkout__trainee=signup.trainee,
            checkout__status=CheckoutStatus.IN_PROGRESS,
            requirement=session.kind,
        ).first()
        if step is None:  # the checkout closed since the sign-up (a corrected result, expiry)
            raise CheckoutNotOpen(
                gettext("%(name)s's checkout is not open: record them as absent or leave them out.")
                % {"name": public_name(signup.trainee.name)}
            )
        with translation.override(settings.LANGUAGE_CODE):  # a record, whoever's page it is
            description = (
                f"{session.label} on {local_time_label(session)}, hosted by "
                f"{session.host.get_full_name()}: {signup.get_status_display()}"
            )
        signup.evidence = Evidence.objects.create(
            step=step,
            date=session.start.astimezone(zone(session.timezone)).date(),
            url=f"{settings.BASE_URL}/checkout-sessions/{session.pk}/",
            description=description,
            submitted_at=now,
        )
    signup.save(update_fields=["status", "notes", "result_by", "result_at", "evidence"])
    if state is not None:
        progress_record(
            actor=actor,
            trainee=signup.trainee,
            requirement=session.kind,
            state=state,
            notes=item.notes,
            now=now,
        )
    audit_log(
        actor=actor,
        action="checkout_session_result",
        obj=signup.trainee,
        at=now,
        data={"session": session.pk, "result": item.result},
    )


@transaction.atomic
def checkout_session_cancel(
    *,
    actor: Principal,
    session: CheckoutSession,
    reason: str,
    now: datetime | None = None,
) -> CheckoutSession:
    """Staff cancel a session, with a reason told to the trainees signed up: it stays on the
    calendar as cancelled, refusing sign-ups and results; each sign-up gives its place back
    and its trainee is emailed once, with their personal page to choose another session.
    A session with a result recorded happened, and is not cancelled."""
    require_staff(actor)
    reason = reason.strip()
    if not reason:
        raise Invalid.field("reason", "Give a reason; the trainees signed up are told it.")
    now = clock.resolve(now)
    session = lock(checkout_sessions=[session.pk]).checkout_sessions[session.pk]
    if session.status == CheckoutSessionStatus.CANCELLED:
        raise SessionCancelled("This session is already cancelled.")
    if session.signups.filter(status__in=HAS_RESULT).exists():
        raise SessionHasResults()
    session.status = CheckoutSessionStatus.CANCELLED
    session.cancel_reason = reason
    session.cancelled_at = now
    session.save(update_fields=["status", "cancel_reason", "cancelled_at"])
    signups = list(
        session.signups.select_related("trainee")
        .filter(status=SignupStatus.SIGNED_UP)
        .order_by("id")
    )
    for signup in signups:
        signup_release(signup, session, now)
        cancelled_send(session, signup, now)
    audit_log(
        actor=actor,
        action="checkout_session_cancelled",
        obj=session,
        at=now,
        reason=reason,
        data={"released": [s.trainee_id for s in signups]},
    )
    return session
