from django.apps import AppConfig


class FabriquesConfig(AppConfig):
    name = "fabrique.fabriques"
    label = "fabriques"
