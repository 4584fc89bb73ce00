"""The emails certificates send (see `lectern.notifications.kinds`)."""

from lectern.notifications.kinds import Kind, Recipient, kind_register

kind_register(
    Kind("certified", "Certified (certificate attached)", Recipient.TRAINEE),
)
