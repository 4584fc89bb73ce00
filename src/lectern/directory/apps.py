from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "lectern.directory"
    label = "directory"
    verbose_name = "Instructor directory and personal data"

    def ready(self) -> None:
        # Importing it registers the retention rules.
        from lectern.directory import rules  # noqa: F401
