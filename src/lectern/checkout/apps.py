from django.apps import AppConfig


class CheckoutConfig(AppConfig):
    name = "lectern.checkout"
    label = "checkout"
    verbose_name = "Attendance and checkout"
