"""A session's places given back: a trainee leaves, the session is cancelled, the checkout
closes.

Only the session's own services and these functions change `places_taken`, always with the
session's row locked. This module reads no checkout and calls no checkout service, so that
the checkout's services, which sit below the sessions' (a result passes a step through
`checkout.services.progress_record`), can release a closed checkout's sign-ups in their
own transaction.
"""

from __future__ import annotations

from datetime import datetime

from lectern.checkout_sessions.models import CheckoutSession, SessionSignup, SignupStatus
from lectern.core.audit import audit_log
from lectern.core.locking import lock
from lectern.core.permissions import Principal
from lectern.notifications.services import messages_cancel

REMINDER = "checkout_session_reminder"


def place_give_back(
    signup: SessionSignup, session: CheckoutSession, now: datetime, *, status: str
) -> None:
    """The sign-up stops holding its place (`left`, or `released` for the trainee); the
    session, locked by the caller, has one more place."""
    signup.status = status
    signup.changed_at = now
    signup.save(update_fields=["status", "changed_at"])
    session.places_taken = max(session.places_taken - 1, 0)
    session.save(update_fields=["places_taken"])


def signup_release(signup: SessionSignup, session: CheckoutSession, now: datetime) -> None:
    """Give the place back for the trainee, and withdraw a reminder not yet sent."""
    place_give_back(signup, session, now, status=SignupStatus.RELEASED)
    messages_cancel(obj=signup, kinds=[REMINDER], reason="sign-up released")


def future_signups_release(*, trainee_id: int, why: str, now: datetime) -> int:
    """A closed checkout (expired, certified, or its training failed on correction) gives
    back the trainee's places on sessions that have not started, in the caller's
    transaction. A session that has started keeps the sign-up: its host records what
    happened. Return how many were released."""
    pending = SessionSignup.objects.select_related("trainee").filter(
        trainee_id=trainee_id, status=SignupStatus.SIGNED_UP, session__start__gt=now
    )
    released: list[SessionSignup] = []
    # Each round locks the sessions first (before any sign-up row is written), then reads
    # the sign-ups as they are now that none can move; a move that landed in between is
    # caught by the next round.
    for _ in range(3):
        session_ids = set(pending.values_list("session_id", flat=True))
        if not session_ids:
            break
        sessions = lock(checkout_sessions=session_ids).checkout_sessions
        for signup in pending.filter(session_id__in=session_ids):
            signup_release(signup, sessions[signup.session_id], now)
            released.append(signup)
    if released:
        audit_log(
            actor=Principal.as_system(),
            action="checkout_session_signups_released",
            obj=released[0].trainee,
            at=now,
            reason=why,
            data={"sessions": sorted(s.session_id for s in released)},
        )
    return len(released)
