from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "lectern.registrations"
    label = "registrations"
    verbose_name = "Trainees and registrations"

    def ready(self) -> None:
        # Importing them registers this app's kinds of email and its scheduled rules.
        from lectern.registrations import kinds, rules  # noqa: F401
