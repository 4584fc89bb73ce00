"""The emails checkout sends (see `lectern.notifications.kinds`)."""

from lectern.notifications.kinds import Kind, Recipient, kind_register

kind_register(
    # key: the result's revision ("r2"): a corrected result is told again
    Kind("attendance_result", "Attendance result", Recipient.TRAINEE),
    # key: which reminder ("end", "3d"), about the event
    Kind("attendance_due", "Attendance due (trainers)", Recipient.TRAINER),
    Kind("extension_granted", "Extension granted", Recipient.TRAINEE),
    # key: the days before the deadline, and the deadline ("30d_20270501")
    Kind("checkout_reminder", "Checkout reminder", Recipient.TRAINEE),
    # key: the deadline that passed ("20270501")
    Kind("checkout_expired", "Checkout expired", Recipient.TRAINEE),
)
