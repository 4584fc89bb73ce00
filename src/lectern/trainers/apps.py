from django.apps import AppConfig


class TrainersConfig(AppConfig):
    name = "lectern.trainers"
    label = "trainers"
    verbose_name = "Trainer pool"
