from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "lectern.core"
    label = "core"
