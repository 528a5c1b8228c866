from django.apps import AppConfig


class HandoverConfig(AppConfig):
    name = "fabrique.handover"
    label = "handover"
    verbose_name = "Transmissions entre fabriques"

    def ready(self) -> None:
        from . import handlers  # noqa: F401 - registers the event handlers
