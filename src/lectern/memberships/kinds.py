"""The emails memberships send (see `lectern.notifications.kinds`)."""

from lectern.notifications.kinds import Kind, Recipient, kind_register

kind_register(
    Kind("membership_welcome", "Membership welcome", Recipient.COORDINATOR),
    # key: the months into the membership year ("3m", "6m", "9m")
    Kind("coordinator_checkin", "Coordinator check-in", Recipient.COORDINATOR),
)
