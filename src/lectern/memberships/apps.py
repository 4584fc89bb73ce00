from django.apps import AppConfig


class MembershipsConfig(AppConfig):
    name = "lectern.memberships"
    label = "memberships"
    verbose_name = "Organisations and memberships"
