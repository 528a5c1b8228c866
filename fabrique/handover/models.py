"""Hand-over between fabriques: a need or a project offered to another fabrique of the network.

A `HandOver` belongs to two fabriques (the sender and the receiver); each sees it in its list. Once
accepted, the object has moved to the receiver and the row is the read-only trace on the sending side
(`trace`: what moved, what was detached). See `services.handover_accept` for the tenant invariants.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fabrique.core.limits import LONG_TEXT
from fabrique.core.models import TimeStampedModel

if TYPE_CHECKING:
    from fabrique.needs.models import Need
    from fabrique.projects.models import Project


class HandOverKind(models.TextChoices):
    NEED = "need", _("besoin")
    PROJECT = "project", _("projet")


class HandOverStatus(models.TextChoices):
    OFFERED = "offered", _("proposée")
    ACCEPTED = "accepted", _("acceptée")
    REFUSED = "refused", _("refusée")
    WITHDRAWN = "withdrawn", _("retirée")


class HandOver(TimeStampedModel):
    from_fabrique = models.ForeignKey(
        "fabriques.Fabrique", on_delete=models.PROTECT, related_name="handovers_sent", verbose_name=_("de")
    )
    to_fabrique = models.ForeignKey(
        "fabriques.Fabrique", on_delete=models.PROTECT, related_name="handovers_received", verbose_name=_("à")
    )
    kind = models.CharField(_("objet"), max_length=10, choices=HandOverKind.choices)
    need = models.ForeignKey(
        "needs.Need", on_delete=models.PROTECT, null=True, blank=True, related_name="handovers"
    )
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="handovers"
    )
    title = models.CharField(_("intitulé"), max_length=200)  # as offered
    sender_reference = models.CharField(_("référence chez l'expéditrice"), max_length=20, blank=True)
    receiver_reference = models.CharField(_("référence chez la destinataire"), max_length=20, blank=True)
    reason = models.TextField(_("motif de la transmission"), max_length=LONG_TEXT)
    status = models.CharField(
        _("statut"), max_length=10, choices=HandOverStatus.choices, default=HandOverStatus.OFFERED
    )
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposée par")
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("réponse de"),
    )
    answered_at = models.DateTimeField(_("date de la réponse"), null=True, blank=True)
    answer_reason = models.TextField(_("motif de la réponse"), blank=True, max_length=LONG_TEXT)
    # the read-only trace: what the object was when it left and what moved or was detached
    trace = models.JSONField(_("trace"), default=dict, blank=True)

    class Meta:
        verbose_name = _("transmission")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["need"],
                condition=models.Q(status="offered"),
                name="handover_one_open_offer_per_need",
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(status="offered"),
                name="handover_one_open_offer_per_project",
            ),
        ]
        indexes = [
            models.Index(fields=["from_fabrique", "status"]),
            models.Index(fields=["to_fabrique", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.sender_reference} {self.title}".strip()

    @property
    def target(self) -> Need | Project | None:
        return self.need if self.kind == HandOverKind.NEED else self.project
