from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "fabrique.backoffice"
    label = "backoffice"
