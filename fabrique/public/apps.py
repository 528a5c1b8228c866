from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "fabrique.public"
    label = "public"
