"""The emails about welcome sessions and teaching demos (see `lectern.notifications.kinds`)."""

from lectern.notifications.kinds import Kind, Recipient, kind_register

kind_register(
    # About the sign-up; key: the session's start, so a moved session reminds again.
    Kind(
        "checkout_session_reminder", "Welcome session or teaching demo reminder", Recipient.TRAINEE
    ),
    # About the session; key: the trainee, so each trainee signed up is told once.
    Kind(
        "checkout_session_cancelled",
        "Welcome session or teaching demo cancelled",
        Recipient.TRAINEE,
    ),
)
