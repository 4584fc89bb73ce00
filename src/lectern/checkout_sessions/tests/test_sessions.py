"""Welcome sessions and teaching demos: sign up, change, leave, capacity, the meeting link,
results and the step's evidence, the reminder. Boundaries: the last instant that passes and
the first that fails."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from lectern.checkout.models import Step
from lectern.checkout_sessions import services
from lectern.checkout_sessions.models import SessionSignup
from lectern.checkout_sessions.services import ResultIn
from lectern.core.errors import DomainError
from lectern.core.permissions import Principal
from lectern.notifications.models import Message
from lectern.notifications.scheduler import tick

from .conftest import DEMO_START, SIGNUP_TIME, open_checkouts, session

pytestmark = pytest.mark.django_db
SECOND = timedelta(seconds=1)


def signup(trainee: Any, target: Any, now: Any = SIGNUP_TIME) -> Any:
    return services.checkout_session_signup(
        actor=Principal.personal(trainee.pk), trainee=trainee, session=target, now=now
    )


def refusal(call: Any) -> str:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value.code


def step(trainee: Any, requirement: str = "teaching_demo") -> Step:
    return Step.objects.get(checkout__trainee=trainee, requirement=requirement)


def test_local_times_in_the_sessions_zone_are_stored_in_utc(demo: Any) -> None:
    assert demo.start == DEMO_START
    assert demo.end - demo.start == timedelta(hours=1)


def test_capacity_the_last_place_is_taken_and_the_next_trainee_is_refused(host: Any) -> None:
    small = session(host, capacity=2)
    first, second, third = open_checkouts(3)
    signup(first, small)
    signup(second, small)  # the last place
    assert refusal(lambda: signup(third, small)) == "session_full"
    small.refresh_from_db()
    assert small.places_taken == 2


def test_signing_up_again_for_the_same_session_changes_nothing(demo: Any, trainees: Any) -> None:
    signup(trainees[0], demo)
    signup(trainees[0], demo)
    demo.refresh_from_db()
    assert demo.places_taken == 1


def test_change_moves_the_sign_up_until_either_session_starts(host: Any, trainees: Any) -> None:
    early, late = session(host, day="2027-02-10"), session(host, day="2027-02-12")
    trainee = trainees[0]
    signup(trainee, early)
    signup(trainee, late, now=DEMO_START - SECOND)  # the last second before `early` starts
    early.refresh_from_db()
    late.refresh_from_db()
    assert (early.places_taken, late.places_taken) == (0, 1)
    signup(trainee, early, now=DEMO_START - SECOND)  # and back
    # once it has started, neither it nor a move away from it is possible
    assert refusal(lambda: signup(trainee, late, now=DEMO_START)) == "session_started"
    other = trainees[1]
    assert refusal(lambda: signup(other, early, now=DEMO_START)) == "session_started"


def test_leave_until_the_session_starts(demo: Any, trainees: Any) -> None:
    a, b = trainees[0], trainees[1]
    signup(a, demo)
    signup(b, demo)
    leave = services.checkout_session_leave
    leave(actor=Principal.personal(a.pk), trainee=a, session=demo, now=DEMO_START - SECOND)
    demo.refresh_from_db()
    assert demo.places_taken == 1
    code = refusal(
        lambda: leave(actor=Principal.personal(b.pk), trainee=b, session=demo, now=DEMO_START)
    )
    assert code == "session_started"
    assert (
        refusal(
            lambda: leave(actor=Principal.personal(a.pk), trainee=a, session=demo, now=SIGNUP_TIME)
        )
        == "not_signed_up"
    )


def test_only_an_open_checkout_signs_up_and_not_for_a_step_already_passed(
    demo: Any, trainees: Any, staff: Principal
) -> None:
    from lectern.checkout.services import progress_record

    passed = trainees[0]
    progress_record(
        actor=staff, trainee=passed, requirement="teaching_demo", state="passed", now=SIGNUP_TIME
    )
    assert refusal(lambda: signup(passed, demo)) == "step_already_passed"
    from lectern.checkout.models import Checkout

    Checkout.objects.filter(trainee=trainees[1]).update(status="expired")
    assert refusal(lambda: signup(trainees[1], demo)) == "checkout_not_open"


def test_a_session_must_start_before_the_checkout_deadline_ends(host: Any, trainees: Any) -> None:
    """The deadline is 1 May 2027, the last day in New York (the event's zone): it ends at
    04:00Z on 2 May, which is 06:00 in Berlin, the session's zone."""
    last = session(host, day="2027-05-02", start="2027-05-02T05:59", end="2027-05-02T06:59")
    late = session(host, day="2027-05-02", start="2027-05-02T06:00", end="2027-05-02T07:00")
    assert refusal(lambda: signup(trainees[0], late)) == "session_after_deadline"
    signup(trainees[0], last)
    assert SessionSignup.objects.filter(trainee=trainees[0], session=last).exists()


def test_another_trainees_authority_cannot_sign_someone_up(demo: Any, trainees: Any) -> None:
    a, b = trainees[0], trainees[1]
    code = refusal(
        lambda: services.checkout_session_signup(
            actor=Principal.personal(a.pk), trainee=b, session=demo, now=SIGNUP_TIME
        )
    )
    assert code == "not_found"


def test_the_host_passes_the_demo_and_the_evidence_names_the_session(
    demo: Any, trainees: Any, host: Any
) -> None:
    trainee = trainees[0]
    signup(trainee, demo)
    record = services.checkout_session_results
    actor = Principal(user=host)
    results = [ResultIn(trainee.pk, "passed", "Clear and well paced.")]
    code = refusal(
        lambda: record(actor=actor, session=demo, results=results, now=DEMO_START - SECOND)
    )
    assert code == "session_not_started"
    record(actor=actor, session=demo, results=results, now=DEMO_START)
    demo_step = step(trainee)
    assert (demo_step.state, demo_step.evaluated_by) == ("passed", "host@trainers.example")
    evidence = demo_step.evidence.get()
    assert evidence.url.endswith(f"/checkout-sessions/{demo.pk}/")
    assert "Hana Host" in evidence.description
    assert SessionSignup.objects.get(trainee=trainee).evidence == evidence
    # recording the same again changes nothing
    record(actor=actor, session=demo, results=results, now=DEMO_START + SECOND)
    assert step(trainee).evidence.count() == 1


def test_a_host_grades_by_hand_only_a_trainee_they_recorded_on_their_session(
    demo: Any, trainees: Any, host: Any
) -> None:
    """Not before the session (the results route would refuse it), nor after marking the
    trainee absent: the host evaluates what happened on their session."""
    from lectern.checkout.services import progress_record

    trainee = trainees[0]
    signup(trainee, demo)
    actor = Principal(user=host)

    def by_hand(state: str, now: Any) -> Any:
        return progress_record(
            actor=actor, trainee=trainee, requirement="teaching_demo", state=state, now=now
        )

    assert refusal(lambda: by_hand("passed", SIGNUP_TIME)) == "forbidden"
    services.checkout_session_results(
        actor=actor, session=demo, results=[ResultIn(trainee.pk, "absent")], now=DEMO_START
    )
    assert refusal(lambda: by_hand("failed", DEMO_START + SECOND)) == "forbidden"
    services.checkout_session_results(
        actor=actor,
        session=demo,
        results=[ResultIn(trainee.pk, "asked_to_repeat")],
        now=DEMO_START + SECOND,
    )
    by_hand("passed", DEMO_START + 2 * SECOND)  # a correction of what they recorded
    assert step(trainee).state == "passed"


def test_results_the_kind_allows_and_only_for_those_on_the_session(
    host: Any, trainees: Any
) -> None:
    welcome = session(host, kind="welcome_session")
    signup(trainees[0], welcome)
    record = services.checkout_session_results
    actor = Principal(user=host)
    bad = [ResultIn(trainees[0].pk, "passed")]
    assert refusal(lambda: record(actor=actor, session=welcome, results=bad, now=DEMO_START)) == (
        "validation_error"
    )
    stranger = [ResultIn(trainees[1].pk, "attended")]
    assert (
        refusal(lambda: record(actor=actor, session=welcome, results=stranger, now=DEMO_START))
        == "validation_error"
    )
    record(
        actor=actor, session=welcome, results=[ResultIn(trainees[0].pk, "attended")], now=DEMO_START
    )
    assert step(trainees[0], "welcome_session").state == "passed"


def test_a_trainer_who_did_not_host_may_not_record(
    demo: Any, trainees: Any, other_trainer: Any
) -> None:
    signup(trainees[0], demo)
    code = refusal(
        lambda: services.checkout_session_results(
            actor=Principal(user=other_trainer),
            session=demo,
            results=[ResultIn(trainees[0].pk, "passed")],
            now=DEMO_START,
        )
    )
    assert code == "not_found"
    assert step(trainees[0]).state == "not_started"


def test_asked_to_repeat_lets_the_trainee_sign_up_for_another_demo(
    host: Any, trainees: Any, staff: Principal
) -> None:
    first, second = session(host, day="2027-02-10"), session(host, day="2027-02-17")
    trainee = trainees[0]
    signup(trainee, first)
    services.checkout_session_results(
        actor=staff,  # staff record a demo's result too
        session=first,
        results=[ResultIn(trainee.pk, "asked_to_repeat")],
        now=DEMO_START,
    )
    assert step(trainee).state == "asked_to_repeat"
    signup(trainee, second, now=DEMO_START + timedelta(hours=1))
    first.refresh_from_db()
    assert first.places_taken == 1  # the first demo's place stays taken: it happened


def test_the_reminder_goes_24_hours_before_once_and_not_to_those_who_left(
    demo: Any, trainees: Any
) -> None:
    a, b = trainees[0], trainees[1]
    signup(a, demo)
    signup(b, demo)
    services.checkout_session_leave(
        actor=Principal.personal(b.pk), trainee=b, session=demo, now=SIGNUP_TIME
    )
    reminders = Message.objects.filter(kind="checkout_session_reminder")
    tick(now=DEMO_START - timedelta(hours=24) - SECOND)
    assert not reminders.exists()
    tick(now=DEMO_START - timedelta(hours=24))
    tick(now=DEMO_START - timedelta(hours=1))
    assert list(reminders.values_list("recipient", flat=True)) == [a.email]
    body = reminders.get().body_text
    assert "https://meet.example/demo" in body
    assert "Wed 10 Feb 2027, 15:00" in body
