from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Operations: database roles, migrations as the owner, backup and restore (docs/operations.md)."""

    name = "fabrique.ops"
    label = "ops"
    verbose_name = "Exploitation"
