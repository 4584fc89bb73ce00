"""The emails accounts send (see `lectern.notifications.kinds`)."""

from lectern.notifications.kinds import Kind, Recipient, kind_register

kind_register(
    # key: the link's id (each requested link is one email)
    Kind("login_link", "Sign-in link", Recipient.USER),
)
