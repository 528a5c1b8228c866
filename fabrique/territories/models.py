"""Reference tables of the French administrative division (COG), loaded from data shipped in the project."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    code = models.CharField(_("code"), max_length=3, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)

    class Meta:
        verbose_name = _("région")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Departement(models.Model):
    code = models.CharField(_("code"), max_length=3, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")
    search_name = models.CharField(max_length=120, db_index=True, editable=False)

    class Meta:
        verbose_name = _("département")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class EPCI(models.Model):
    class Kind(models.TextChoices):
        METROPOLE = "MET", _("Métropole")
        URBAINE = "CU", _("Communauté urbaine")
        AGGLOMERATION = "CA", _("Communauté d'agglomération")
        COMMUNES = "CC", _("Communauté de communes")
        METROPOLE_LYON = "METLYON", _("Métropole de Lyon")

    siren = models.CharField(_("SIREN"), max_length=9, primary_key=True)
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    population = models.PositiveIntegerField(_("population municipale"), null=True, blank=True)
    departements = models.ManyToManyField(Departement, related_name="epcis", blank=True)
    search_name = models.CharField(max_length=220, db_index=True, editable=False)

    class Meta:
        verbose_name = _("intercommunalité (EPCI)")
        verbose_name_plural = _("intercommunalités (EPCI)")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    class Kind(models.TextChoices):
        CURRENT = "commune-actuelle", _("commune")
        DELEGATED = "commune-deleguee", _("commune déléguée")
        ASSOCIATED = "commune-associee", _("commune associée")
        ARRONDISSEMENT = "arrondissement-municipal", _("arrondissement municipal")

    code = models.CharField(_("code INSEE"), max_length=5, db_index=True)
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices, default=Kind.CURRENT)
    name = models.CharField(_("nom"), max_length=200)
    population = models.PositiveIntegerField(_("population municipale"), null=True, blank=True)
    departement = models.ForeignKey(
        Departement, on_delete=models.PROTECT, related_name="communes", null=True, blank=True
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="communes", null=True, blank=True
    )
    epci = models.ForeignKey(EPCI, on_delete=models.PROTECT, related_name="communes", null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
        help_text=_("Commune actuelle dont dépend une commune déléguée ou un arrondissement."),
    )
    postal_codes = models.CharField(_("codes postaux"), max_length=200, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    search_name = models.CharField(max_length=220, db_index=True, editable=False)

    class Meta:
        verbose_name = _("commune")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["code", "kind"], name="commune_code_kind_unique")]

    def __str__(self) -> str:
        dep = self.departement_id or ""
        return f"{self.name} ({dep})" if dep else self.name

    @property
    def is_current(self) -> bool:
        return self.kind == self.Kind.CURRENT


class PostalCode(models.Model):
    code = models.CharField(_("code postal"), max_length=5, db_index=True)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="postal_code_rows")

    class Meta:
        verbose_name = _("code postal")
        constraints = [models.UniqueConstraint(fields=["code", "commune"], name="postal_code_commune_unique")]

    def __str__(self) -> str:
        return self.code


class QPV(models.Model):
    """Priority neighbourhood of the city policy (QPV 2024)."""

    code = models.CharField(_("code"), max_length=12, primary_key=True)
    name = models.CharField(_("nom"), max_length=200)
    communes = models.ManyToManyField(Commune, related_name="qpvs", blank=True)
    geometry = models.JSONField(_("contour (GeoJSON MultiPolygon, WGS84)"), null=True, blank=True)
    search_name = models.CharField(max_length=220, db_index=True, editable=False)

    class Meta:
        verbose_name = _("quartier prioritaire (QPV)")
        verbose_name_plural = _("quartiers prioritaires (QPV)")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class SearchEntry(models.Model):
    """One searchable territory (denormalised for the autocomplete; rebuilt by `search_index_rebuild`).

    Not edited by hand: derived from the tables above after every load.
    """

    class Kind(models.TextChoices):
        COMMUNE = "commune", _("commune")
        EPCI = "epci", _("EPCI")
        DEPARTEMENT = "departement", _("département")
        QPV = "qpv", _("QPV")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    code = models.CharField(max_length=12)
    # Commune.Kind for communes (a commune déléguée may share its code with its commune nouvelle).
    commune_kind = models.CharField(max_length=30, blank=True)
    name = models.CharField(max_length=200)
    search_name = models.CharField(max_length=220)
    search_code = models.CharField(max_length=12)
    population = models.PositiveIntegerField(null=True, blank=True)
    departement_code = models.CharField(max_length=3, blank=True)
    departement_name = models.CharField(max_length=100, blank=True)
    epci_siren = models.CharField(max_length=9, blank=True)
    epci_name = models.CharField(max_length=200, blank=True)
    parent_code = models.CharField(max_length=5, blank=True)
    parent_name = models.CharField(max_length=200, blank=True)
    # Global order of the entries: communes actuelles, EPCI and départements by population,
    # then QPVs, then communes déléguées/associées. Ties broken by name.
    rank = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "code", "commune_kind"], name="search_entry_key_unique")
        ]
        indexes = [
            # Equality and prefix (`LIKE 'st e%'` needs the pattern operator class on PostgreSQL).
            models.Index(fields=["search_name"], name="search_entry_name", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["search_code"], name="search_entry_code"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.code} {self.name}"


class SearchTerm(models.Model):
    """A word of an entry's name, or one of its codes (INSEE, postal, SIREN), matched by prefix.

    `kind`, `rank` and `first` copy what the search orders by, so that a one-word search reads the
    index alone: the entries whose term starts with the word, first-word matches first, by rank.
    """

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="terms", db_index=False)
    term = models.CharField(max_length=60)
    kind = models.CharField(max_length=12, choices=SearchEntry.Kind.choices)
    rank = models.PositiveIntegerField(default=0)
    # The term is the first word of the name (or its expansion, "saint" for "st").
    first = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "term"], name="search_term_entry_unique")]
        indexes = [
            # Prefix scans (`term >= 'herb' AND term < 'herb{'` on SQLite, `LIKE 'herb%'` on PostgreSQL,
            # hence the pattern operator class there) that read everything else from the index.
            models.Index(
                fields=["term", "kind", "first", "rank", "entry"],
                name="search_term_prefix",
                opclasses=["varchar_pattern_ops", "varchar_ops", "bool_ops", "int4_ops", "int8_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.term
