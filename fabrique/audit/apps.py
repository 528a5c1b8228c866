from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "fabrique.audit"
    label = "audit"
