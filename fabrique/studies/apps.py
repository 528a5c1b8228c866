from django.apps import AppConfig


class StudiesConfig(AppConfig):
    name = "fabrique.studies"
    label = "studies"
