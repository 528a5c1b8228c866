from django.apps import AppConfig


class TerritoriesConfig(AppConfig):
    name = "fabrique.territories"
    label = "territories"
