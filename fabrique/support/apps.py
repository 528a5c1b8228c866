from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "fabrique.support"
    label = "support"
