from django.apps import AppConfig


class CheckoutSessionsConfig(AppConfig):
    name = "lectern.checkout_sessions"
    label = "checkout_sessions"
    verbose_name = "Welcome sessions and teaching demos"

    def ready(self) -> None:
        # Importing them registers this app's kinds of email and its scheduled rules.
        from lectern.checkout_sessions import kinds, rules  # noqa: F401
