"""Territorial intelligence: indicators and their values, indicator imports, diagnosis zones and the
weights of the priority ranking.

An `Indicator` without fabrique is a shared reference indicator (INSEE Filosofi, loaded by
`fabrique load_reference_indicators`); one with a fabrique was imported by that fabrique from a file
and is private to it. Values are kept per (level, code): a commune INSEE code, an IRIS code, an EPCI
SIREN, a QPV code, a département code or "FR". Values at other levels than the source level
(EPCI, département, France, or a commune from its IRIS) are computed by
`fabrique.intelligence.references` and marked `origin="computed"`.
"""

from typing import TYPE_CHECKING, Any, NoReturn

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from fabrique.core.limits import LONG_TEXT, validate_sane_date
from fabrique.core.models import TenantModel, TimeStampedModel
from fabrique.core.workflow import Workflow, allowed
from fabrique.recruitment.storage import indicator_file_path, private_storage

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from fabrique.fabriques.models import Fabrique


class Level(models.TextChoices):
    COMMUNE = "commune", _("commune")
    IRIS = "iris", _("IRIS")
    EPCI = "epci", _("intercommunalité (EPCI)")
    QPV = "qpv", _("quartier prioritaire (QPV)")
    DEPARTEMENT = "departement", _("département")
    FRANCE = "france", _("France")


# levels a user may import a file at
IMPORT_LEVELS = (Level.COMMUNE, Level.IRIS, Level.EPCI, Level.QPV, Level.DEPARTEMENT)
FRANCE_CODE = "FR"


class Aggregation(models.TextChoices):
    """How values of small territories combine into a larger one (EPCI, département, France, zone)."""

    SUM = "sum", _("somme (effectifs : habitants, ménages, équipements…)")
    WEIGHTED_MEAN = "weighted_mean", _("moyenne pondérée par la population (taux, parts)")
    RATIO = "ratio", _("rapport de deux colonnes : numérateur / dénominateur × 100")
    WEIGHTED_MEDIAN = "weighted_median", _("médiane pondérée par la population (revenus médians)")
    MEAN = "mean", _("moyenne simple des territoires")
    NONE = "none", _("pas de calcul pour les territoires plus larges")


class ValueStatus(models.TextChoices):
    OK = "ok", _("valeur publiée")
    SECRET = "secret", _("secret statistique")
    MISSING = "missing", _("non disponible")


class ValueOrigin(models.TextChoices):
    FILE = "file", _("fichier source")
    COMPUTED = "computed", _("calculé")


class IndicatorQuerySet(models.QuerySet["Indicator"]):
    def visible_to(self, fabrique: "Fabrique") -> "IndicatorQuerySet":
        """Shared reference indicators and the fabrique's own imports."""
        return self.filter(models.Q(fabrique__isnull=True) | models.Q(fabrique=fabrique))


_IndicatorBaseManager = models.Manager.from_queryset(IndicatorQuerySet)


class IndicatorManager(_IndicatorBaseManager["Indicator"]):
    def get_queryset(self) -> models.QuerySet["Indicator"]:
        return super().get_queryset().filter(deleted_at__isnull=True)


class Indicator(TimeStampedModel):
    fabrique = models.ForeignKey(
        "fabriques.Fabrique",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("fabrique"),
        help_text=_("Vide pour un indicateur de référence partagé par toutes les fabriques."),
    )
    code = models.SlugField(_("code"), max_length=80)
    name = models.CharField(_("nom de l'indicateur"), max_length=200)
    description = models.TextField(_("définition"), blank=True, max_length=LONG_TEXT)
    source = models.CharField(
        _("source"),
        max_length=300,
        help_text=_("Producteur et fichier, par exemple : INSEE, recensement 2021."),
    )
    source_url = models.URLField(_("adresse de la source"), blank=True)
    vintage = models.CharField(
        _("millésime"), max_length=20, help_text=_("Année des données, par exemple 2021.")
    )
    unit = models.CharField(
        _("unité"), max_length=40, blank=True, help_text=_("Par exemple : %, €, habitants, ménages.")
    )
    licence = models.CharField(_("licence"), max_length=200)
    level = models.CharField(_("niveau géographique"), max_length=20, choices=Level.choices)
    higher_is_worse = models.BooleanField(
        _("une valeur élevée est défavorable"),
        null=True,
        blank=True,
        help_text=_("Vide : indicateur descriptif, jamais signalé comme défavorable."),
    )
    aggregation = models.CharField(
        _("calcul des territoires plus larges"),
        max_length=20,
        choices=Aggregation.choices,
        default=Aggregation.NONE,
    )
    decimals = models.PositiveSmallIntegerField(
        _("décimales affichées"), default=0, validators=[MaxValueValidator(4)]
    )
    method_note = models.TextField(_("méthode des références"), blank=True, max_length=LONG_TEXT)
    order = models.PositiveSmallIntegerField(_("ordre"), default=100)
    deleted_at = models.DateTimeField(_("supprimé le"), null=True, blank=True, editable=False)

    objects = IndicatorManager()
    all_objects = _IndicatorBaseManager()

    class Meta:
        verbose_name = _("indicateur")
        ordering = ["order", "name", "pk"]
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(
                fields=["fabrique", "code"],
                condition=models.Q(deleted_at__isnull=True),
                name="indicator_code_unique_alive",
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(fabrique__isnull=True),
                name="indicator_reference_code_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.vintage})" if self.vintage else self.name

    @property
    def is_reference(self) -> bool:
        return self.fabrique_id is None

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError(
            "Indicators are soft-deleted through fabrique.intelligence.services.indicator_delete."
        )


class IndicatorValue(models.Model):
    """One value of an indicator for one territory. `weight` is what the value weighs when territories
    are combined: the population (weighted mean or median) or the denominator (ratio)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    level = models.CharField(_("niveau"), max_length=20, choices=Level.choices)
    code = models.CharField(_("code du territoire"), max_length=12)
    value = models.FloatField(_("valeur"), null=True, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=ValueStatus.choices, default=ValueStatus.OK)
    weight = models.FloatField(_("poids"), null=True, blank=True)
    origin = models.CharField(
        _("origine"), max_length=10, choices=ValueOrigin.choices, default=ValueOrigin.FILE
    )
    batch = models.ForeignKey(
        "intelligence.ImportBatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("valeur d'indicateur")
        verbose_name_plural = _("valeurs d'indicateurs")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "level", "code"], name="indicator_value_unique")
        ]
        indexes = [models.Index(fields=["level", "code"], name="indicator_value_place")]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.level}:{self.code} = {self.value}"


class ImportStage(models.TextChoices):
    UPLOADED = "uploaded", _("fichier déposé")
    VALIDATED = "validated", _("colonnes associées, prêt à importer")
    IMPORTED = "imported", _("importé")
    CANCELLED = "cancelled", _("abandonné")


class FileFormat(models.TextChoices):
    CSV = "csv", _("CSV (texte)")
    XLSX = "xlsx", _("Excel (XLSX)")


class BackgroundState(models.TextChoices):
    QUEUED = "queued", _("en attente")
    RUNNING = "running", _("en cours")
    FAILED = "failed", _("en échec")


class ImportBatch(TenantModel):
    """One file a user uploaded to import an indicator: kept with what was detected and mapped."""

    workflow = Workflow(
        stages=ImportStage,
        transitions=allowed(
            {
                ImportStage.UPLOADED: {ImportStage.VALIDATED, ImportStage.CANCELLED},
                ImportStage.VALIDATED: {ImportStage.UPLOADED, ImportStage.IMPORTED, ImportStage.CANCELLED},
                ImportStage.IMPORTED: frozenset(),
                ImportStage.CANCELLED: frozenset(),
            }
        ),
    )

    # kept outside the public media directory (no public URL): a fabrique's files are its own
    file = models.FileField(_("fichier"), upload_to=indicator_file_path, storage=private_storage)
    original_name = models.CharField(_("nom du fichier"), max_length=255)
    file_format = models.CharField(_("format"), max_length=10, choices=FileFormat.choices)
    encoding = models.CharField(_("encodage"), max_length=20, blank=True)
    delimiter = models.CharField(_("séparateur"), max_length=1, blank=True)
    sheet = models.CharField(_("feuille"), max_length=100, blank=True)
    header_row = models.PositiveIntegerField(_("ligne des en-têtes"), default=1)
    stage = models.CharField(
        _("étape"), max_length=20, choices=ImportStage.choices, default=ImportStage.UPLOADED
    )
    stage_changed_at = models.DateTimeField(null=True, blank=True, validators=[validate_sane_date])
    mapping = models.JSONField(_("association des colonnes"), default=dict, blank=True)
    summary = models.JSONField(_("bilan"), default=dict, blank=True)
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="batches",
        verbose_name=_("indicateur"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("déposé par"),
    )
    imported_at = models.DateTimeField(
        _("importé le"), null=True, blank=True, validators=[validate_sane_date]
    )
    # a large file is imported in the background (task `run_indicator_import`): its state and progress
    background = models.CharField(
        _("import en arrière-plan"), max_length=20, choices=BackgroundState.choices, blank=True
    )
    progress = models.JSONField(_("avancement"), default=dict, blank=True)
    background_error = models.TextField(_("erreur de l'import en arrière-plan"), blank=True, max_length=5000)

    class Meta:
        verbose_name = _("import d'indicateur")
        verbose_name_plural = _("imports d'indicateurs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def encoding_label(self) -> str:
        from .tabular import ENCODING_LABELS

        return ENCODING_LABELS.get(self.encoding, self.encoding)


class DiagnosisZone(TenantModel):
    """A territory a fabrique diagnoses: communes and/or whole EPCIs (expanded when the diagnosis is built)."""

    name = models.CharField(_("nom de la zone"), max_length=200)
    description = models.TextField(_("objet du diagnostic"), blank=True, max_length=LONG_TEXT)
    communes = models.ManyToManyField(
        "territories.Commune", blank=True, related_name="+", verbose_name=_("communes")
    )
    epcis = models.ManyToManyField(
        "territories.EPCI", blank=True, related_name="+", verbose_name=_("intercommunalités entières")
    )

    class Meta:
        verbose_name = _("zone de diagnostic")
        verbose_name_plural = _("zones de diagnostic")
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


def _weight_field(
    label: "StrOrPromise", default: int, help_text: "StrOrPromise" = ""
) -> "models.PositiveSmallIntegerField[int, int]":
    return models.PositiveSmallIntegerField(
        label, default=default, validators=[MinValueValidator(0), MaxValueValidator(10)], help_text=help_text
    )


class PriorityWeights(TimeStampedModel):
    """The weights (0 to 10) a fabrique gives to each component of the priority ranking of its needs."""

    fabrique = models.OneToOneField(
        "fabriques.Fabrique", on_delete=models.PROTECT, related_name="+", verbose_name=_("fabrique")
    )
    qualification = _weight_field(_("note de qualification"), 5)
    reports = _weight_field(_("nombre de signalements"), 2)
    poverty = _weight_field(_("taux de pauvreté du territoire"), 3)
    income = _weight_field(_("revenu médian du territoire"), 2)
    qpv = _weight_field(_("quartier prioritaire"), 2)
    rural = _weight_field(_("commune rurale"), 1)
    no_offer = _weight_field(_("absence d'offre existante"), 2)
    nearby = _weight_field(_("besoins voisins"), 1)
    radius_km = models.PositiveSmallIntegerField(
        _("rayon de voisinage (km)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Distance entre centres de communes pour les besoins voisins et l'offre existante."),
    )

    COMPONENTS = ("qualification", "reports", "poverty", "income", "qpv", "rural", "no_offer", "nearby")

    class Meta:
        verbose_name = _("pondération des priorités")
        verbose_name_plural = _("pondérations des priorités")

    def __str__(self) -> str:
        return str(self.fabrique)

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.COMPONENTS}


class NeedInsight(models.Model):
    """A need's territorial context, computed in the background (`fabrique.intelligence.insights`) and
    read by the priorities page and the need's page in one query: the eight priority components (0 to
    1, weight-free: the page applies the fabrique's weights in SQL) with their French explanation, the
    nearest needs and the existing offer. Derived data: recomputed when its inputs change (event
    handlers), every night, and by `fabrique refresh_insights`."""

    need = models.OneToOneField(
        "needs.Need", on_delete=models.CASCADE, primary_key=True, related_name="insight"
    )
    fabrique = models.ForeignKey("fabriques.Fabrique", on_delete=models.CASCADE, related_name="+")
    computed_at = models.DateTimeField()
    radius_km = models.PositiveSmallIntegerField()
    qualification = models.FloatField(default=0)
    reports = models.FloatField(default=0)
    poverty = models.FloatField(default=0)
    income = models.FloatField(default=0)
    qpv = models.FloatField(default=0)
    rural = models.FloatField(default=0)
    no_offer = models.FloatField(default=0)
    nearby = models.FloatField(default=0)
    qualification_total = models.IntegerField(default=0)  # ties are broken by the raw qualification total
    # {component: French explanation}
    details = models.JSONField(default=dict)
    # nearest needs first (same theme first): [{"id", "distance", "same_commune", "same_epci", "same_theme"}]
    nearby_needs = models.JSONField(default=list)
    nearby_count = models.PositiveIntegerField(default=0)
    # ExistingOffer as plain data (see insights.offer_to_data)
    offer = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("contexte calculé d'un besoin")
        indexes = [models.Index(fields=["fabrique", "computed_at"])]

    def __str__(self) -> str:
        return f"{self.need_id}"
