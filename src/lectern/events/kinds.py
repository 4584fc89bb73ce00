"""The emails events send (see `lectern.notifications.kinds`)."""

from lectern.notifications.kinds import Kind, Recipient, kind_register

kind_register(
    Kind("event_approaching_trainer", "Event approaching (trainers, T-30)", Recipient.TRAINER),
)
