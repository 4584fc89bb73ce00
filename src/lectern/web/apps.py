from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "lectern.web"
    label = "web"
