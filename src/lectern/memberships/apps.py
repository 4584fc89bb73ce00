from django.apps import AppConfig


class MembershipsConfig(AppConfig):
    name = "lectern.memberships"
    label = "memberships"
    verbose_name = "Organisations and memberships"

    def ready(self) -> None:
        # Importing them registers this app's kinds of email.
        from lectern.memberships import kinds  # noqa: F401
