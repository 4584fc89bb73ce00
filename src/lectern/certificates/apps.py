from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "lectern.certificates"
    label = "certificates"
