from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "lectern.certificates"
    label = "certificates"

    def ready(self) -> None:
        # Importing them registers this app's kinds of email.
        from lectern.certificates import kinds  # noqa: F401
