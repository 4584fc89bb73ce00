"""Registration refusals: each with a stable code and a message a trainee understands."""

from django.utils.translation import gettext_lazy as _

from lectern.core.errors import Conflict, DomainError


class UnknownCode(DomainError):
    status = 404
    code = "unknown_code"
    default_message = _(
        "This registration code is not valid. Check it with your organisation's coordinator."
    )


class MembershipInactive(Conflict):
    code = "membership_inactive"


class NoSeatsLeft(Conflict):
    code = "no_seats_left"
    default_message = _(
        "Your organisation has no training seats left. Your coordinator can ask for more."
    )


class EventFull(Conflict):
    code = "event_full"
    default_message = _(
        "This event is full. You can join its waiting list, or choose another event."
    )


class RegistrationClosed(Conflict):
    code = "registration_closed"


class EventCancelled(Conflict):
    code = "event_cancelled"
    default_message = _("This event was cancelled. Please choose another event.")


class AlreadyRegistered(Conflict):
    code = "already_registered"
    default_message = _(
        "You already hold a registration for another event. Move or withdraw it first, using "
        "the link in your confirmation email."
    )


class TooManyWithdrawals(Conflict):
    code = "too_many_withdrawals"
    default_message = _(
        "You have withdrawn more than three times in the last twelve months. Please write to "
        "the programme staff, who can register you."
    )


class NotActive(Conflict):
    code = "registration_not_active"
    default_message = _("This registration is no longer active.")
