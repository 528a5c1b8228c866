"""The tenant: a Fabrique à initiatives, its team and their roles."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fabrique.core.limits import LONG_TEXT
from fabrique.core.models import TimeStampedModel
from fabrique.recruitment.storage import logo_path, private_storage


class Role(models.TextChoices):
    ADMIN = "admin", _("administrateur·rice")
    OFFICER = "officer", _("chargé·e de mission")
    COMMITTEE = "committee", _("membre de comité")
    READER = "reader", _("lecteur·rice")
    PARTNER = "partner", _("partenaire (signale des besoins)")


class Permission(models.TextChoices):
    """What a back-office or API view requires. Each role grants a fixed set (ROLE_PERMISSIONS)."""

    VIEW = "view", _("consulter")
    EDIT = "edit", _("créer et modifier")
    DECIDE = "decide", _("participer aux décisions de comité")
    MANAGE = "manage", _("administrer la fabrique")
    REPORT = "report", _("signaler des besoins et suivre ses signalements")


ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        {Permission.VIEW, Permission.EDIT, Permission.DECIDE, Permission.MANAGE, Permission.REPORT}
    ),
    Role.OFFICER: frozenset({Permission.VIEW, Permission.EDIT, Permission.DECIDE, Permission.REPORT}),
    Role.COMMITTEE: frozenset({Permission.VIEW, Permission.DECIDE, Permission.REPORT}),
    Role.READER: frozenset({Permission.VIEW, Permission.REPORT}),
    # a local actor (town hall, association) with an account: reports needs, sees their own reports
    Role.PARTNER: frozenset({Permission.REPORT}),
}


class NetworkStatus(models.TextChoices):
    """Where a fabrique stands in the national network (shown in the network's directory)."""

    ESTABLISHED = "established", _("labellisée")
    EXPERIMENTING = "experimenting", _("en expérimentation")


class Fabrique(TimeStampedModel):
    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant d'URL"), max_length=60, unique=True)
    short_description = models.CharField(_("présentation courte"), max_length=300, blank=True)
    description = models.TextField(_("présentation"), blank=True, max_length=LONG_TEXT)
    operator_name = models.CharField(_("structure porteuse"), max_length=200, blank=True)
    since_year = models.PositiveSmallIntegerField(_("depuis"), null=True, blank=True)
    contact_email = models.EmailField(_("e-mail de contact"), blank=True)
    contact_phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    website = models.URLField(_("site web"), blank=True)
    logo = models.ImageField(_("logo"), upload_to=logo_path, storage=private_storage, blank=True)
    communes = models.ManyToManyField(
        "territories.Commune", verbose_name=_("communes couvertes"), blank=True, related_name="+"
    )
    epcis = models.ManyToManyField(
        "territories.EPCI", verbose_name=_("intercommunalités couvertes"), blank=True, related_name="+"
    )
    departements = models.ManyToManyField(
        "territories.Departement", verbose_name=_("départements couverts"), blank=True, related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=True)
    network_status = models.CharField(
        _("statut dans le réseau"),
        max_length=20,
        choices=NetworkStatus.choices,
        default=NetworkStatus.ESTABLISHED,
    )
    # the public page (admin-editable): what the fabrique's own web site would say
    public_team = models.TextField(
        _("l'équipe (page publique)"),
        blank=True,
        max_length=LONG_TEXT,
        help_text=_(
            "Une ligne par personne : « Prénom Nom — rôle — e-mail ou téléphone ». Seules les personnes "
            "qui l'ont accepté y figurent."
        ),
    )
    public_how_we_work = models.TextField(
        _("notre démarche (page publique)"), blank=True, max_length=LONG_TEXT
    )
    committee_opens_study = models.BooleanField(
        _("le comité peut retenir un besoin et ouvrir son étude en une décision"),
        default=False,
        help_text=_(
            "Ajoute la décision « Retenu : ouvrir une étude d'opportunité » aux comités : le besoin est "
            "retenu et son étude ouverte dans le même geste."
        ),
    )
    admins_require_otp = models.BooleanField(
        _("second facteur obligatoire pour les administrateurs"),
        default=False,
        help_text=_(
            "Les administrateur·rices de la fabrique doivent activer un code à usage unique (application "
            "d'authentification) et le saisir à chaque connexion avant d'accéder au back-office."
        ),
    )
    stage_labels = models.JSONField(
        _("libellés des étapes"),
        default=dict,
        blank=True,
        help_text=_(
            'Libellés propres à la fabrique, par objet et étape : {"needs.need": {"retained": "Retenu"}}.'
        ),
    )

    milestone_templates = models.JSONField(
        _("jalons proposés"),
        default=dict,
        blank=True,
        help_text=_(
            'Jalons proposés au début d\'un accompagnement, par parcours : {"creation": [["Titre", mois], …]}.'
        ),
    )
    email_texts = models.JSONField(
        _("textes des e-mails"),
        default=dict,
        blank=True,
        help_text=_(
            "Textes propres à la fabrique des e-mails aux personnes qui signalent et aux candidat·es."
        ),
    )

    class Meta:
        verbose_name = _("fabrique")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def stage_label(self, model_label: str, stage: str, default: str) -> str:
        return self.stage_labels.get(model_label, {}).get(stage) or default


class Membership(TimeStampedModel):
    """A user's role in one fabrique."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships")
    fabrique = models.ForeignKey(Fabrique, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.READER)
    is_active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("membre de l'équipe")
        verbose_name_plural = _("membres de l'équipe")
        constraints = [models.UniqueConstraint(fields=["user", "fabrique"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.fabrique} ({self.get_role_display()})"

    def has_permission(self, permission: str) -> bool:
        return self.is_active and permission in ROLE_PERMISSIONS[self.role]
