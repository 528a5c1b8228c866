"""The log of what the erasures removed (GDPR accountability): what, when, why, never the data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ErasureCategory(models.TextChoices):
    CONTACT = "contact", _("contact de l'annuaire")
    REPORTER = "reporter", _("personne ayant signalé un besoin")
    CANDIDATE = "candidate", _("candidat·e")


class ErasureReason(models.TextChoices):
    REQUEST = "request", _("demande de la personne")
    RETENTION = "retention", _("durée de conservation écoulée")


class ErasureLog(models.Model):
    fabrique = models.ForeignKey("fabriques.Fabrique", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("catégorie"), max_length=20, choices=ErasureCategory.choices)
    target_type = models.CharField(_("type d'objet"), max_length=60)
    target_id = models.CharField(_("identifiant"), max_length=64)
    reason = models.CharField(_("motif"), max_length=20, choices=ErasureReason.choices)
    summary = models.JSONField(_("ce qui a été effacé"), default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    erased_at = models.DateTimeField(_("effacé le"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("effacement de données personnelles")
        verbose_name_plural = _("effacements de données personnelles")
        ordering = ["-erased_at", "-pk"]
        indexes = [models.Index(fields=["fabrique", "-erased_at"])]

    def __str__(self) -> str:
        return f"{self.get_category_display()} {self.target_id} ({self.get_reason_display()})"
