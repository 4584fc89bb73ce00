"""The emails registrations send (see `lectern.notifications.kinds`)."""

from lectern.notifications.kinds import Kind, Recipient, kind_register
from lectern.registrations.emails import confirmation_write

kind_register(
    # Written when it is sent, so that a registration renders nothing (`notifications.kinds`).
    Kind(
        "registration_confirmed",
        "Registration confirmed",
        Recipient.TRAINEE,
        write=confirmation_write,
    ),
    Kind("registration_moved", "Registration moved", Recipient.TRAINEE),
    Kind("registration_withdrawn", "Registration withdrawn", Recipient.TRAINEE),
    Kind("seat_forfeited", "Seat forfeited", Recipient.TRAINEE),
    Kind("emergency_exception", "Emergency exception granted", Recipient.TRAINEE),
    Kind("event_cancelled", "Event cancelled", Recipient.TRAINEE),
    Kind("event_cancelled_coordinator", "Event cancelled (coordinators)", Recipient.COORDINATOR),
    Kind("preparation", "Preparation (T-7)", Recipient.TRAINEE),
    Kind("waitlist_joined", "Waiting list joined", Recipient.TRAINEE),
    Kind("waitlist_offer", "Waiting-list offer", Recipient.TRAINEE),
    Kind("waitlist_ended", "Waiting list ended", Recipient.TRAINEE),
    # key: the start of the new link's nonce (each replacement is its own email)
    Kind("trainee_link_replaced", "Personal link replaced", Recipient.TRAINEE),
    # key: the sign-in request's id (each request may send one)
    Kind("trainee_sign_in", "Personal link (sign-in request)", Recipient.TRAINEE),
    # written by staff to an event's audience; key: the sending's audit entry ("m<id>")
    Kind("staff_message", "Message from staff about an event", Recipient.TRAINEE),
    Kind("team_registration", "Registered by a coordinator", Recipient.TRAINEE),
    Kind("team_details_reminder", "Details still needed (team registration)", Recipient.TRAINEE),
    Kind("team_registration_released", "Released: details not completed", Recipient.TRAINEE),
    # key: the quarter ("2027q1")
    Kind("social_event_suggestion", "Social-event suggestion", Recipient.COORDINATOR),
)
