from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "lectern.notifications"
    label = "notifications"
    verbose_name = "Emails (outbox)"
