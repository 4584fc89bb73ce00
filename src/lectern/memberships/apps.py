from django.apps import AppConfig


class MembershipsConfig(AppConfig):
    name = "lectern.memberships"
    label = "memberships"
    verbose_name = "Organisations and memberships"

    def ready(self) -> None:
        # Importing them registers this app's kinds of email and its scheduled rules.
        from lectern.memberships import kinds, rules  # noqa: F401
