"""Chantiers: the priority sectors a fabrique works in, with the collective of structures it animates."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fabrique.core.limits import LONG_TEXT
from fabrique.core.models import TenantModel


class WorkstreamStatus(models.TextChoices):
    ACTIVE = "active", _("actif")
    ARCHIVED = "archived", _("archivé")


validate_colour = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("La couleur s'écrit #RRVVBB, par exemple #1f4e79."), code="invalid_colour"
)


class Workstream(TenantModel):
    name = models.CharField(_("nom"), max_length=200)
    code = models.SlugField(
        _("code"),
        max_length=60,
        allow_unicode=False,
        help_text=_(
            "Identifiant court et unique dans la fabrique (ex. alimentation). Déduit du nom si vide."
        ),
    )
    description = models.TextField(_("description"), blank=True, max_length=LONG_TEXT)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("chargé·e de mission référent·e"),
    )
    members = models.ManyToManyField(
        "directory.Organization", blank=True, related_name="workstreams", verbose_name=_("structures membres")
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=WorkstreamStatus.choices, default=WorkstreamStatus.ACTIVE
    )
    colour = models.CharField(_("couleur"), max_length=7, blank=True, validators=[validate_colour])
    search_name = models.CharField(max_length=200, editable=False, db_index=True)

    class Meta:
        verbose_name = _("chantier")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["fabrique", "code"],
                condition=models.Q(deleted_at__isnull=True),
                name="workstream_code_unique_alive",
                violation_error_message=_("Un chantier de la fabrique porte déjà ce code."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == WorkstreamStatus.ACTIVE
