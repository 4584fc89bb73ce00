"""Refusals about welcome sessions and teaching demos, each with its stable code."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from lectern.core.errors import Conflict


class SessionFull(Conflict):
    code = "session_full"
    default_message = _("This session is full. Choose another one.")


class SessionStarted(Conflict):
    code = "session_started"
    default_message = _("This session has started: sign-ups can no longer change.")


class SessionNotStarted(Conflict):
    code = "session_not_started"
    default_message = _("Results are recorded once the session has started.")


class SessionCancelled(Conflict):
    code = "session_cancelled"
    default_message = _("This session was cancelled.")


class SessionHasResults(Conflict):
    code = "session_has_results"
    default_message = (
        "A result has been recorded for this session: it happened, and cannot be cancelled."
    )


class CheckoutNotOpen(Conflict):
    code = "checkout_not_open"
    default_message = _("Sign-ups are for trainees whose checkout is open.")


class StepAlreadyPassed(Conflict):
    code = "step_already_passed"
    default_message = _("You have already passed this step.")


class NotSignedUp(Conflict):
    code = "not_signed_up"
    default_message = _("You are not signed up for this session.")


class AfterDeadline(Conflict):
    code = "session_after_deadline"
    default_message = _("This session starts after your checkout deadline.")
