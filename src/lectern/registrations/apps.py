from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "lectern.registrations"
    label = "registrations"
    verbose_name = "Trainees and registrations"

    def ready(self) -> None:
        # Importing them registers this app's kinds of email and its scheduled rules.
        # `changes` registers what an event's change means for its registrations.
        from lectern.registrations import changes, kinds, rules  # noqa: F401
