from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lectern.core"
    label = "core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from lectern.core import prepared

        connection_created.connect(prepared.watch, dispatch_uid="lectern.core.prepared")
