from django.apps import AppConfig


class EssaimageConfig(AppConfig):
    name = "fabrique.essaimage"
    label = "essaimage"
    verbose_name = "Essaimage"

    def ready(self) -> None:
        from . import handlers  # noqa: F401 - registers the event handlers
