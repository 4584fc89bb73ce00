from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lectern.accounts"
    label = "accounts"
    verbose_name = "Accounts and API tokens"

    def ready(self) -> None:
        # Importing it registers this app's kinds of email.
        from lectern.accounts import kinds  # noqa: F401
