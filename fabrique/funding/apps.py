from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "fabrique.funding"
    label = "funding"
    verbose_name = _("financeurs et conventions")

    def ready(self) -> None:
        from . import handlers  # noqa: F401  (the daily reminder of reporting deadlines)
        from .indicators import register_all

        register_all()
