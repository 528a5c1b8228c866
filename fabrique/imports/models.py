"""Imports of the teams' spreadsheets: organisations, people and need reports (docs/imports.md).

A batch holds the file read as a table (never the file itself), the column mapping chosen, and once
applied the ids of the rows it created, so that it can be undone.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fabrique.core.models import TenantModel


class ImportKind(models.TextChoices):
    ORGANIZATIONS = "organizations", _("structures")
    PEOPLE = "people", _("contacts")
    REPORTS = "reports", _("signalements de besoins")


class ImportStatus(models.TextChoices):
    DRAFT = "draft", _("en préparation")
    APPLIED = "applied", _("importé")
    UNDONE = "undone", _("annulé")


class ImportBatch(TenantModel):
    kind = models.CharField(_("contenu"), max_length=20, choices=ImportKind.choices)
    status = models.CharField(
        _("état"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.DRAFT
    )
    filename = models.CharField(_("fichier"), max_length=255)
    file_format = models.CharField(_("format"), max_length=10)
    encoding = models.CharField(_("encodage"), max_length=30, blank=True)
    sheet = models.CharField(_("feuille"), max_length=100, blank=True)
    header = models.JSONField(_("colonnes du fichier"), default=list)
    rows = models.JSONField(_("lignes"), default=list, help_text=_("[numéro de ligne, [cellules]]"))
    mapping = models.JSONField(_("correspondance"), default=dict, blank=True)
    defaults = models.JSONField(_("valeurs par défaut"), default=dict, blank=True)
    skip_duplicates = models.BooleanField(_("ignorer les doublons signalés"), default=True)
    created_ids = models.JSONField(_("éléments créés"), default=list, blank=True)
    skipped_lines = models.JSONField(_("lignes ignorées"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("déposé par")
    )
    applied_at = models.DateTimeField(_("importé le"), null=True, blank=True)
    undone_at = models.DateTimeField(_("annulé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["fabrique", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_kind_display()})"

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def created_count(self) -> int:
        return len(self.created_ids)

    def mapping_items(self) -> list[tuple[str, Any]]:
        return list(self.mapping.items())


class ImportPreset(TenantModel):
    """A saved column mapping ("Export de notre tableur 2023") chosen again for the next file."""

    kind = models.CharField(_("contenu"), max_length=20, choices=ImportKind.choices)
    name = models.CharField(_("nom"), max_length=120)
    mapping = models.JSONField(_("correspondance"), default=dict)
    defaults = models.JSONField(_("valeurs par défaut"), default=dict, blank=True)

    class Meta:
        verbose_name = _("modèle de correspondance")
        verbose_name_plural = _("modèles de correspondance")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["fabrique", "kind", "name"],
                condition=models.Q(deleted_at__isnull=True),
                name="import_preset_unique_name",
            )
        ]

    def __str__(self) -> str:
        return self.name
