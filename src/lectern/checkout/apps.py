from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "lectern.checkout"
    label = "checkout"
    verbose_name = "Attendance and checkout"

    def ready(self) -> None:
        # Importing them registers this app's kinds of email and its scheduled rules.
        from lectern.checkout import checkins, kinds, rules  # noqa: F401
