"""The emails events send (see `lectern.notifications.kinds`)."""

from lectern.notifications.kinds import Kind, Recipient, kind_register
from lectern.notifications.rendering import email_library_register

# emails say deadlines from their definitions: {% load deadlines %}
email_library_register("deadlines", "lectern.events.templatetags.deadlines")

kind_register(
    Kind("event_approaching_trainer", "Event approaching (trainers, T-30)", Recipient.TRAINER),
    # to confirmed trainees, the waiting list and the trainers; key: the change's sequence
    Kind("event_changed", "Event changed (trainees, waiting list, trainers)", Recipient.TRAINEE),
)
