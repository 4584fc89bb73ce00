from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    name = "lectern.registrations"
    label = "registrations"
    verbose_name = "Trainees and registrations"
