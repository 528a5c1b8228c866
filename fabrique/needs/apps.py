from django.apps import AppConfig


class NeedsConfig(AppConfig):
    name = "fabrique.needs"
    label = "needs"
