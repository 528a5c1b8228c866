from django.apps import AppConfig


class FabriquesConfig(AppConfig):
    name = "fabrique.fabriques"
    label = "fabriques"

    def ready(self) -> None:
        from .indicators import register_all as register_indicators

        register_indicators()

        from . import handlers  # noqa: F401 - registers the event handlers
