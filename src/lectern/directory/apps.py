from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "lectern.directory"
    label = "directory"
    verbose_name = "Instructor directory and personal data"
