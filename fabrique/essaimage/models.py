"""Essaimage: the network's library of models to replicate.

A fabrique publishes one of its projects, or the enterprise a project created, as a model sheet
(`ModelSheet`, a row of the source fabrique). Published sheets are read by every fabrique of the
network (the library is their shared space); "reproduire ici" creates a need or a study in the
replicating fabrique, linked to the model by a `Replication` (a row of the replicating fabrique), which
the source fabrique sees as "reproduit à …" (the fabrique's name and the date, never the other
fabrique's records).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fabrique.core.choices import Public, Theme
from fabrique.core.limits import LONG_TEXT
from fabrique.core.models import SearchText, TenantModel, TimeStampedModel, search_text_field
from fabrique.recruitment.storage import generated_name, private_storage


class TerritoryKind(models.TextChoices):
    RURAL = "rural", _("rural")
    URBAN = "urban", _("urbain")
    QPV = "qpv", _("quartier prioritaire (QPV)")


class ModelSheet(SearchText, TenantModel):
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.PROTECT,
        related_name="model_sheets",
        verbose_name=_("projet d'origine"),
    )
    title = models.CharField(_("nom du modèle"), max_length=200)
    need_answered = models.TextField(_("le besoin auquel il répond"), max_length=LONG_TEXT)
    public = models.CharField(_("public"), max_length=30, choices=Public.choices, blank=True)
    theme = models.CharField(_("thème"), max_length=30, choices=Theme.choices, blank=True)
    territory_kind = models.CharField(
        _("type de territoire"), max_length=10, choices=TerritoryKind.choices, blank=True
    )
    economic_model = models.TextField(_("modèle économique"), blank=True, max_length=LONG_TEXT)
    partners = models.TextField(_("partenaires"), blank=True, max_length=LONG_TEXT)
    results = models.TextField(_("résultats"), blank=True, max_length=LONG_TEXT)
    contact = models.CharField(
        _("contact"),
        max_length=200,
        blank=True,
        help_text=_("Qui joindre pour en savoir plus (par défaut, l'adresse de la fabrique)."),
    )
    is_published = models.BooleanField(_("publié dans la bibliothèque"), default=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("publié par")
    )

    # the library's search box reads this folded copy (accent-insensitive, core.models.SearchText)
    search_fields = ("title", "need_answered", "economic_model")
    search_text = search_text_field()

    class Meta:
        verbose_name = _("fiche modèle")
        verbose_name_plural = _("fiches modèles")
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["is_published", "theme"])]

    def __str__(self) -> str:
        return self.title

    @property
    def enterprise(self) -> object | None:
        return getattr(self.project, "enterprise", None)


def model_document_path(instance: object, filename: str) -> str:
    return generated_name("models", filename)


class ModelDocument(TimeStampedModel):
    sheet = models.ForeignKey(ModelSheet, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(_("fichier"), upload_to=model_document_path, storage=private_storage)

    class Meta:
        verbose_name = _("document du modèle")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.title


class ReplicationKind(models.TextChoices):
    NEED = "need", _("un besoin")
    STUDY = "study", _("une étude d'opportunité")


class Replication(TenantModel):
    """The model `sheet` reproduced in `fabrique` (the replicating one), as a need or a study."""

    sheet = models.ForeignKey(ModelSheet, on_delete=models.PROTECT, related_name="replications")
    kind = models.CharField(_("sous la forme"), max_length=10, choices=ReplicationKind.choices)
    need = models.ForeignKey("needs.Need", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    study = models.ForeignKey(
        "studies.Study", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("reproduction d'un modèle")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.sheet} → {self.fabrique_id}"
