from django.apps import AppConfig

from lectern.operations import sentry


class OperationsConfig(AppConfig):
    """Operating Lectern: readiness, metrics, the staff banner, bounces, `lectern doctor`."""

    name = "lectern.operations"
    label = "operations"

    def ready(self) -> None:
        sentry.sentry_init()
