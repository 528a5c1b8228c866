from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "fabrique.api"
    label = "api"

    def ready(self) -> None:
        from . import schema  # noqa: F401  (registers the token's OpenAPI security scheme)
