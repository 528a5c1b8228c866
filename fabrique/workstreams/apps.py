from django.apps import AppConfig


class WorkstreamsConfig(AppConfig):
    name = "fabrique.workstreams"
    label = "workstreams"
