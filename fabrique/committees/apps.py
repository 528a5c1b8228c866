from django.apps import AppConfig


class CommitteesConfig(AppConfig):
    name = "fabrique.committees"
    label = "committees"
