"""Registration services: what trainees, coordinators and staff do with registrations.

- `checks`: may this registration happen? (code, event open, membership, trainee, details)
- `places`: an event's places, taken by registrations and held by waiting-list offers
- `create`: register with a code
- `change`: move, withdraw, emergency exception
- `cancel`: cancel an event with its registrations
- `waitlist`: join, offers, accept, expiry
- `team`: a coordinator registers named people; they complete their details; release at cutoff

Locks are taken through `lectern.core.locking.lock`, in its fixed order.
"""

from lectern.registrations.services.cancel import (
    event_cancel,
    event_enrolment_decide,
    future_events_with_seats,
)
from lectern.registrations.services.change import (
    registration_emergency,
    registration_move,
    registration_withdraw,
)
from lectern.registrations.services.checks import (
    TraineeDetails,
    code_check,
    details_check,
    registration_page_check,
    require_registration_access,
)
from lectern.registrations.services.create import Created, registration_create, trainee_for_details
from lectern.registrations.services.resend import registration_email_resend
from lectern.registrations.services.team import (
    Person,
    TeamResult,
    registration_details_complete,
    registration_release,
    team_register,
)
from lectern.registrations.services.trainee import (
    name_change_requested,
    trainee_details_apply,
    trainee_details_differences,
    trainee_link_replace,
    trainee_name_request,
)

__all__ = [
    "Created",
    "Person",
    "TeamResult",
    "TraineeDetails",
    "code_check",
    "details_check",
    "event_cancel",
    "event_enrolment_decide",
    "future_events_with_seats",
    "name_change_requested",
    "registration_create",
    "registration_details_complete",
    "registration_email_resend",
    "registration_emergency",
    "registration_move",
    "registration_page_check",
    "registration_release",
    "registration_withdraw",
    "require_registration_access",
    "team_register",
    "trainee_details_apply",
    "trainee_details_differences",
    "trainee_for_details",
    "trainee_link_replace",
    "trainee_name_request",
]
