"""In-app notifications, each user's preferences per kind, and what they follow."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .kinds import KINDS, Mode

KIND_CHOICES = [(code, kind.label) for code, kind in KINDS.items()]


class Notification(models.Model):
    """One message to one member of staff. `key` makes it idempotent (event × recipient × kind)."""

    key = models.CharField(max_length=255, unique=True)
    fabrique = models.ForeignKey("fabriques.Fabrique", on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("type"), max_length=40, choices=KIND_CHOICES)
    title = models.CharField(_("titre"), max_length=300)
    body = models.TextField(_("détail"), blank=True)
    url = models.CharField(_("lien"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("lu le"), null=True, blank=True)
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.IMMEDIATE)
    emailed_at = models.DateTimeField(_("envoyé par e-mail le"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "fabrique", "read_at"]),
            models.Index(fields=["mode", "emailed_at"]),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    """How a user wants one kind in one fabrique (no row: the role's default)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    fabrique = models.ForeignKey("fabriques.Fabrique", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("type"), max_length=40, choices=KIND_CHOICES)
    mode = models.CharField(_("recevoir"), max_length=20, choices=Mode.choices)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("préférence de notification")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "fabrique", "kind"], name="notification_preference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.mode}"


class Follow(models.Model):
    """A member of staff follows a need, study, project, call or chantier."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    fabrique = models.ForeignKey("fabriques.Fabrique", on_delete=models.CASCADE, related_name="+")
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("suivi")
        constraints = [
            models.UniqueConstraint(fields=["user", "target_type", "target_id"], name="follow_unique")
        ]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.user} → {self.target_type_id}:{self.target_id}"


class CalendarFeed(models.Model):
    """A user's personal calendar feed: the secret token in its URL. Regenerating revokes the old one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("flux d'agenda")

    def __str__(self) -> str:
        return f"{self.user}"
