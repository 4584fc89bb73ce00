"""Cancelling a session: its places given back, each trainee told once, in the session's
language, and the session refusing sign-ups, results and a second cancellation; a closed
checkout gives back its trainee's places on sessions to come."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from lectern.checkout import services as checkout
from lectern.checkout.models import Checkout
from lectern.checkout_sessions import services
from lectern.checkout_sessions.models import SessionSignup
from lectern.checkout_sessions.rules import checkout_session_reminders
from lectern.checkout_sessions.services import ResultIn
from lectern.checkout_sessions.tests.test_sessions import refusal, signup
from lectern.core.errors import Invalid
from lectern.core.models import AuditEntry
from lectern.core.permissions import Principal
from lectern.notifications.models import Message
from lectern.notifications.scheduler import tick

from .conftest import DEMO_START, SIGNUP_TIME, session, token_of

pytestmark = pytest.mark.django_db
CANCELLED = "checkout_session_cancelled"


def cancel(target: Any, actor: Principal, reason: str = "The host is ill", now: Any = None) -> Any:
    return services.checkout_session_cancel(
        actor=actor, session=target, reason=reason, now=now or SIGNUP_TIME
    )


def places(target: Any) -> int:
    target.refresh_from_db()
    return int(target.places_taken)


def test_cancel_gives_every_place_back_and_tells_each_trainee_once(
    demo: Any, trainees: Any, staff: Principal
) -> None:
    a, b, c = trainees
    signup(a, demo)
    signup(b, demo)
    signup(c, demo)
    services.checkout_session_leave(
        actor=Principal.personal(c.pk), trainee=c, session=demo, now=SIGNUP_TIME
    )
    assert places(demo) == 2
    cancel(demo, staff)
    demo.refresh_from_db()
    assert (demo.status, demo.cancel_reason, demo.places_taken) == (
        "cancelled",
        "The host is ill",
        0,
    )
    statuses = dict(SessionSignup.objects.values_list("trainee_id", "status"))
    assert statuses == {a.pk: "released", b.pk: "released", c.pk: "left"}
    told = Message.objects.filter(kind=CANCELLED)
    assert sorted(told.values_list("recipient", flat=True)) == sorted([a.email, b.email])
    # a second cancellation is refused with its code, and tells nobody again
    assert refusal(lambda: cancel(demo, staff)) == "session_cancelled"
    assert told.count() == 2
    entry = AuditEntry.objects.get(action="checkout_session_cancelled")
    assert (entry.object_id, entry.reason) == (demo.pk, "The host is ill")
    assert sorted(entry.data["released"]) == sorted([a.pk, b.pk])


def test_the_email_names_the_session_its_times_the_reason_and_where_to_choose_another(
    demo: Any, trainees: Any, staff: Principal
) -> None:
    trainee = trainees[0]
    trainee.timezone = "Asia/Tokyo"
    trainee.save(update_fields=["timezone"])
    signup(trainee, demo)
    cancel(demo, staff)
    email = Message.objects.get(kind=CANCELLED)
    assert (
        email.subject
        == "Cancelled: Teaching demo, Wed 10 Feb 2027, 15:00\u201316:00 CET (UTC+01:00)"
    )
    assert "Teaching demo with Hana Host has been cancelled" in email.body_text
    assert (
        "your time (Asia/Tokyo): Wed 10 Feb 2027, 23:00 \u2013 Thu 11 Feb, 00:00 JST (UTC+09:00)"
        in email.body_text
    )
    assert "Reason: The host is ill" in email.body_text
    assert f"/me/{token_of(trainee)}/#sessions-teaching_demo" in email.body_text
    assert f"/me/{token_of(trainee)}/#sessions-teaching_demo" in email.body_html


def test_a_spanish_session_is_cancelled_in_spanish(
    host: Any, trainees: Any, staff: Principal
) -> None:
    welcome = session(host, kind="welcome_session", language="es")
    signup(trainees[0], welcome)
    cancel(welcome, staff, reason="La anfitriona está enferma")
    email = Message.objects.get(kind=CANCELLED)
    assert email.subject.startswith("Cancelada: Sesión de bienvenida, mié 10 feb 2027")
    assert "Elija otra sesión de bienvenida en su página personal" in email.body_text


def test_only_staff_cancel_and_with_a_reason(
    demo: Any, host: Any, trainees: Any, staff: Principal
) -> None:
    signup(trainees[0], demo)
    assert refusal(lambda: cancel(demo, Principal(user=host))) == "forbidden"
    assert refusal(lambda: cancel(demo, Principal.personal(trainees[0].pk))) == "forbidden"
    with pytest.raises(Invalid) as blank:
        cancel(demo, staff, reason="  ")
    assert list(blank.value.fields or {}) == ["reason"]
    assert places(demo) == 1


def test_a_cancelled_session_refuses_sign_ups_and_results(
    demo: Any, trainees: Any, host: Any, staff: Principal
) -> None:
    signup(trainees[0], demo)
    cancel(demo, staff)
    assert refusal(lambda: signup(trainees[1], demo)) == "session_cancelled"
    assert refusal(lambda: signup(trainees[0], demo)) == "session_cancelled"
    record = services.checkout_session_results
    results = [ResultIn(trainees[0].pk, "passed")]
    code = refusal(
        lambda: record(actor=Principal(user=host), session=demo, results=results, now=DEMO_START)
    )
    assert code == "session_cancelled"
    assert refusal(lambda: record(actor=staff, session=demo, results=[], now=DEMO_START)) == (
        "session_cancelled"
    )


def test_a_session_with_a_result_recorded_happened_and_is_not_cancelled(
    demo: Any, trainees: Any, host: Any, staff: Principal
) -> None:
    signup(trainees[0], demo)
    signup(trainees[1], demo)
    services.checkout_session_results(
        actor=Principal(user=host),
        session=demo,
        results=[ResultIn(trainees[0].pk, "absent")],  # absent is a result too
        now=DEMO_START,
    )
    code = refusal(lambda: cancel(demo, staff, now=DEMO_START + timedelta(minutes=5)))
    assert code == "session_has_results"
    # one started without a result (the host did not come) may be cancelled
    other = session(host, day="2027-02-12")
    signup(trainees[2], other)
    cancel(other, staff, now=other.end + timedelta(hours=1))
    assert places(other) == 0


def test_no_reminder_for_a_cancelled_session_and_one_queued_is_withdrawn(
    host: Any, trainees: Any, staff: Principal
) -> None:
    first, second = session(host, day="2027-02-10"), session(host, day="2027-02-12")
    signup(trainees[0], first)
    signup(trainees[1], second)
    reminders = Message.objects.filter(kind="checkout_session_reminder")
    checkout_session_reminders(DEMO_START - timedelta(hours=1))  # queued, not yet sent
    assert reminders.get().status == "pending"
    cancel(first, staff, now=DEMO_START - timedelta(minutes=30))
    assert reminders.get().status == "cancelled"
    cancel(second, staff, now=DEMO_START)
    tick(now=second.start - timedelta(hours=1))
    assert reminders.count() == 1


# A closed checkout gives back its trainee's places on sessions that have not started.


def test_certified_trainees_future_places_are_given_back(
    host: Any, trainees: Any, staff: Principal
) -> None:
    trainee = trainees[0]
    welcome = session(host, kind="welcome_session", day="2027-02-11")
    signup(trainee, welcome)
    for requirement in ("welcome_session", "get_involved", "teaching_demo"):
        checkout.progress_record(
            actor=staff,
            trainee=trainee,
            requirement=requirement,
            state="passed",
            reason="Done in 2026",
            now=SIGNUP_TIME,
        )
    assert Checkout.objects.get(trainee=trainee).status == "certified"
    assert places(welcome) == 0
    assert SessionSignup.objects.get(trainee=trainee).status == "released"
    entry = AuditEntry.objects.get(action="checkout_session_signups_released")
    assert (entry.reason, entry.data) == ("certified", {"sessions": [welcome.pk]})


def test_a_training_failed_on_correction_gives_back_future_places_not_started_ones(
    host: Any, trainees: Any, staff: Principal
) -> None:
    trainee = trainees[0]
    started, future = (
        session(host, day="2027-02-10"),
        session(host, kind="welcome_session", day="2027-02-12"),
    )
    signup(trainee, started)
    signup(trainee, future)
    registration = Checkout.objects.get(trainee=trainee).registration
    checkout.attendance_record(
        actor=staff,
        event=registration.event,
        records=[checkout.AttendanceRecord(registration.pk, 120)],
        reason="Left at noon on the first day",
        now=DEMO_START + timedelta(minutes=1),
    )
    assert not Checkout.objects.filter(trainee=trainee).exists()
    assert (places(started), places(future)) == (1, 0)  # the started one: its host records it
    assert dict(SessionSignup.objects.values_list("session_id", "status")) == {
        started.pk: "signed_up",
        future.pk: "released",
    }


def test_an_expired_checkout_gives_back_future_places(
    demo: Any, trainees: Any, staff: Principal
) -> None:
    """Sign-ups end with the deadline, so a session after it is only there when the
    deadline moved earlier (here behind the services' back): its place comes back."""
    trainee = trainees[0]
    signup(trainee, demo)
    Checkout.objects.filter(trainee=trainee).update(deadline=SIGNUP_TIME.date())
    assert checkout.checkouts_expire(now=SIGNUP_TIME + timedelta(days=1)) == 1
    assert places(demo) == 0
    assert SessionSignup.objects.get(trainee=trainee).status == "released"
