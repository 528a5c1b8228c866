from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "fabrique.network"
    label = "network"
