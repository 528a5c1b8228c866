"""What the grouping learns from a fabrique's team: labelled report pairs and the adapted pair model.

Derived data of audited actions (the merges, splits and proposal decisions are audited where they happen in
`fabrique.needs.grouping`); written only by that module's services.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fabrique.core.models import TenantModel


class DecisionSource(models.TextChoices):
    MERGE = "merge", _("fusion")
    SPLIT = "split", _("séparation")
    ACCEPTED = "accepted", _("proposition acceptée")
    REJECTED = "rejected", _("proposition rejetée")


class PairDecision(TenantModel):
    """Two reports the team said are the same need (``same_need``) or not, and through which action."""

    report_a = models.ForeignKey("needs.NeedReport", on_delete=models.CASCADE, related_name="+")
    report_b = models.ForeignKey("needs.NeedReport", on_delete=models.CASCADE, related_name="+")
    same_need = models.BooleanField(_("même besoin"))
    source = models.CharField(_("origine"), max_length=20, choices=DecisionSource.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("décision sur une paire de signalements")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["fabrique", "created_at"])]

    def __str__(self) -> str:
        return f"{self.report_a_id}-{self.report_b_id} {'=' if self.same_need else '≠'}"


class PairModelAdaptation(TenantModel):
    """The pair model calibrated to one fabrique's decisions (`fabrique.grouping.adapt`), with the measure
    that decides whether it is used: how well the groupings agree with the team's decisions, out of fold."""

    decisions = models.PositiveIntegerField(default=0)
    same = models.PositiveIntegerField(default=0)
    reports = models.PositiveIntegerField(default=0)  # reports grouped by the guard
    # F1 of "same need" over the decided pairs, read off groupings made with the other folds' decisions
    shipped_agreement = models.FloatField(null=True, blank=True)
    adapted_agreement = models.FloatField(null=True, blank=True)
    # share of the decided pairs those groupings respect
    shipped_accuracy = models.FloatField(null=True, blank=True)
    adapted_accuracy = models.FloatField(null=True, blank=True)
    offset = models.FloatField(null=True, blank=True)  # first-stage logit offset of the calibration
    threshold = models.FloatField(null=True, blank=True)  # its clustering threshold
    used = models.BooleanField(default=False)
    coef = models.JSONField(default=list, blank=True)  # {"model": fingerprint of the shipped model}
    intercept = models.FloatField(default=0.0)

    class Meta:
        verbose_name = _("modèle de regroupement adapté")
        constraints = [
            models.UniqueConstraint(fields=["fabrique"], name="grouping_adaptation_one_per_fabrique")
        ]

    def __str__(self) -> str:
        return f"{self.fabrique_id} {self.decisions} {'used' if self.used else 'shipped'}"
