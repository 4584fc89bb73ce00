from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "lectern.events"
    label = "events"
    verbose_name = "Training events"

    def ready(self) -> None:
        # Importing them registers this app's kinds of email.
        from lectern.events import kinds  # noqa: F401
