from django.apps import AppConfig


class GroupingConfig(AppConfig):
    name = "fabrique.grouping"
    verbose_name = "Regroupement des signalements"
    default_auto_field = "django.db.models.BigAutoField"
