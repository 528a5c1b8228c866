from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "fabrique.directory"
    label = "directory"
