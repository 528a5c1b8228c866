"""Forms of detection and qualification. They parse and validate input in French; the views hand
`service_data()` to the services, which validate again and save (or save nothing)."""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fabrique.core.choices import Public, ReporterType, Theme
from fabrique.core.limits import LONG_TEXT, validate_sane_date
from fabrique.directory.validators import validate_phone
from fabrique.territories.forms import CommuneChoiceField as TerritoryCommuneChoiceField
from fabrique.territories.models import Commune

from .grouping_forms import NOT_OFFERED, SameAsNeedField, SuggestedNeedField, suggested_need_id
from .models import Criterion, DismissReason, Need, NotRetainedReason, ReportSource
from .services import REPORTER_RETENTION_YEARS
from .validators import validate_evidence_document

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def fabrique_communes(fabrique) -> QuerySet[Commune]:
    """Current communes of the fabrique's territory; every current commune when it declared none."""
    qs = Commune.objects.filter(kind=Commune.Kind.CURRENT)
    territory = Q()
    if fabrique.communes.exists():
        territory |= Q(pk__in=fabrique.communes.values("pk"))
    if fabrique.epcis.exists():
        territory |= Q(epci__in=fabrique.epcis.values("pk"))
    if fabrique.departements.exists():
        territory |= Q(departement__in=fabrique.departements.values("pk"))
    return qs.filter(territory).order_by("name") if territory else qs.order_by("name")


def CommuneChoiceField(*, fabrique, **kwargs):  # noqa: N802 - a field factory
    """The shared commune field (autocomplete, or a typed name, postal or INSEE code without
    JavaScript), restricted to the communes of the fabrique's territory."""
    return TerritoryCommuneChoiceField(queryset=fabrique_communes(fabrique), **kwargs)


def _choices(choices, *, empty: str, exclude=()) -> list[tuple[str, str]]:
    return [("", empty)] + [(value, label) for value, label in choices if value not in exclude]


def _clean_phone(value: str) -> str:
    value = (value or "").strip()
    if value:
        validate_phone(value)
    return value


class FieldsetsMixin:
    """`fieldsets` = [(legend, [field names])]; the template renders each group in a <fieldset>."""

    fieldsets: list[tuple[str, list[str]]] = []

    def grouped_fields(self):
        groups = [
            (legend, [self[name] for name in names if name in self.fields])
            for legend, names in self.fieldsets
        ]
        return [(legend, fields) for legend, fields in groups if fields]


# --- reports ---------------------------------------------------------------------------------------------


class ReportForm(FieldsetsMixin, forms.Form):
    """What a reporter tells: the need, where, the evidence, and who they are."""

    title = forms.CharField(
        label=_("Qu'est-ce qui manque ?"),
        max_length=200,
        help_text=_("En une phrase. Par exemple : « Pas de garde d'enfants le soir et le week-end »."),
        error_messages={"required": _("Dites en une phrase ce qui manque.")},
    )
    description = forms.CharField(
        label=_("Décrivez la situation"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Qui est concerné, ce qui se passe aujourd'hui, depuis quand."),
        error_messages={"required": _("Décrivez la situation en quelques lignes.")},
        max_length=LONG_TEXT,
    )
    public = forms.ChoiceField(label=_("Pour qui ? (facultatif)"), required=False)
    public_detail = forms.CharField(
        label=_("Précisez le public (facultatif)"), max_length=200, required=False
    )
    place = forms.CharField(
        label=_("Quartier ou lieu (facultatif)"),
        max_length=200,
        required=False,
        help_text=_("Un quartier, une rue, un équipement, ou « plusieurs communes »."),
    )
    evidence = forms.CharField(
        label=_("Qu'est-ce qui le montre ? (facultatif)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Des chiffres, des témoignages, des demandes reçues, une liste d'attente…"),
        max_length=LONG_TEXT,
    )
    evidence_document = forms.FileField(
        label=_("Un document à joindre (facultatif)"),
        required=False,
        help_text=_("PDF, ODT, DOCX, JPEG ou PNG, 10 Mo au plus."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.odt,.docx,.jpg,.jpeg,.png"}),
    )
    reporter_name = forms.CharField(
        label=_("Votre nom"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Indiquez votre nom, pour que l'équipe puisse vous recontacter.")},
    )
    reporter_organization_name = forms.CharField(
        label=_("Votre structure (facultatif)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    reporter_type = forms.ChoiceField(
        label=_("Vous êtes"), error_messages={"required": _("Dites-nous qui vous êtes.")}
    )
    reporter_email = forms.EmailField(
        label=_("Votre e-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=_("Pour recevoir le lien de suivi de votre signalement."),
        error_messages={
            "invalid": _("Cette adresse e-mail n'est pas valide (exemple : prenom.nom@exemple.fr).")
        },
    )
    reporter_phone = forms.CharField(
        label=_("Votre téléphone (facultatif)"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    consent_processing = forms.BooleanField(
        label=_("J'accepte que la fabrique enregistre ces informations pour étudier le besoin."),
        error_messages={"required": _("Cochez cette case pour envoyer votre signalement.")},
    )
    consent_notifications = forms.BooleanField(
        label=_("Je souhaite être informé·e par e-mail des suites données à ce besoin."), required=False
    )

    fieldsets = [
        (_("Le besoin"), ["title", "description", "public", "public_detail", "theme"]),
        (_("Où ?"), ["commune", "place"]),
        (_("Ce qui le montre"), ["evidence", "evidence_document"]),
        (
            _("Vous"),
            [
                "reporter_person",
                "reporter_organization",
                "reporter_name",
                "reporter_organization_name",
                "reporter_type",
                "reporter_email",
                "reporter_phone",
            ],
        ),
        (_("Origine du signalement"), ["source", "source_detail", "reported_on"]),
        (_("Vos données"), ["consent_processing", "consent_notifications"]),
    ]

    def __init__(self, *args, fabrique, **kwargs):
        super().__init__(*args, **kwargs)
        self.fabrique = fabrique
        if "same_as_need" in self.fields:  # grouping suggestions (fabrique/needs/grouping_forms.py)
            self.fields["same_as_need"].widget.fabrique_slug = fabrique.slug
        self.fields["commune"] = CommuneChoiceField(
            fabrique=fabrique, label=_("Dans quelle commune ? (facultatif)"), required=False
        )
        self.fields["public"].choices = _choices(Public.choices, empty=_("— Choisir un public —"))
        self.fields["reporter_type"].choices = _choices(
            ReporterType.choices, empty=_("— Choisir —"), exclude={ReporterType.STAFF}
        )
        self.order_fields([name for _legend, names in self.fieldsets for name in names])
        contact = " ".join(filter(None, [fabrique.contact_email, fabrique.contact_phone]))
        self.fields["consent_processing"].help_text = _(
            "Elles servent uniquement à étudier ce besoin et à vous recontacter à son sujet. Seule l'équipe "
            "de %(fabrique)s y a accès ; elles ne sont ni publiées ni transmises. Elles sont conservées "
            "%(years)s ans après le dernier échange, puis effacées. Vous pouvez à tout moment les consulter, "
            "les corriger ou demander leur effacement%(contact)s."
        ) % {
            "fabrique": fabrique.name,
            "years": REPORTER_RETENTION_YEARS,
            "contact": (" " + str(_("en écrivant à %(contact)s")) % {"contact": contact}) if contact else "",
        }

    def clean_reporter_phone(self):
        return _clean_phone(self.cleaned_data.get("reporter_phone"))

    def clean_evidence_document(self):
        document = self.cleaned_data.get("evidence_document")
        if document:
            validate_evidence_document(document)
        return document

    def service_data(self) -> dict:
        data = {name: value for name, value in self.cleaned_data.items() if name in self.service_fields()}
        if not data.get("evidence_document"):
            data.pop("evidence_document", None)
        return data

    def service_fields(self) -> set[str]:
        return set(self.fields) - {"extra_info", "same_as_need"}


class PublicReportForm(ReportForm):
    """The public form: no account needed. `extra_info` is the honeypot (see the view)."""

    same_as_need = SuggestedNeedField(url_name="public:need_suggestions")

    extra_info = forms.CharField(
        label=_("Ne remplissez pas ce champ"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
        max_length=LONG_TEXT,
    )

    def clean_same_as_need(self) -> int | None:
        token = self.cleaned_data.get("same_as_need") or ""
        if not token:
            return None
        need_id = suggested_need_id(token, fabrique_id=self.fabrique.pk)
        if need_id is None:  # the same words whether the need exists or not
            raise forms.ValidationError(NOT_OFFERED, code="not_offered")
        return need_id

    @property
    def is_spam(self) -> bool:
        return bool((self.data.get(self.add_prefix("extra_info")) or "").strip())


class StaffReportForm(ReportForm):
    """A report entered by the team (phone call, meeting, creativity session...)."""

    same_as_need = SameAsNeedField(url_name="backoffice:need_suggestions")

    theme = forms.ChoiceField(label=_("Thème"), required=False)
    source = forms.ChoiceField(label=_("Source"))
    source_detail = forms.CharField(
        label=_("Précision sur la source"),
        max_length=200,
        required=False,
        help_text=_("Par exemple : réunion du conseil citoyen du 12 mars, appel de la mairie."),
    )
    reported_on = forms.DateField(
        label=_("Date du signalement"), widget=DATE_WIDGET, validators=[validate_sane_date]
    )

    def __init__(self, *args, fabrique, **kwargs):
        from fabrique.directory.autocomplete import RecordChoiceField

        # people and organisations grow to tens of thousands: an autocomplete, never a <select> of them all
        self.base_fields = {
            **self.base_fields,
            "reporter_person": RecordChoiceField(
                kind="person", fabrique=fabrique, label=_("Contact de l'annuaire"), required=False
            ),
            "reporter_organization": RecordChoiceField(
                kind="organization", fabrique=fabrique, label=_("Structure de l'annuaire"), required=False
            ),
        }
        super().__init__(*args, fabrique=fabrique, **kwargs)
        from fabrique.directory.models import Person

        self.fields["title"].label = _("Ce qui manque")
        self.fields["description"].label = _("Description")
        self.fields["description"].required = False
        self.fields["theme"].choices = _choices(Theme.choices, empty=_("— Choisir un thème —"))
        self.fields["source"].choices = _choices(
            ReportSource.choices,
            empty=_("— Choisir —"),
            exclude={ReportSource.PUBLIC_FORM, ReportSource.PARTNER},
        )
        self.fields["reporter_type"].choices = _choices(ReporterType.choices, empty=_("— Choisir —"))
        self.fields["reporter_type"].required = False
        self.fields["reporter_name"].required = False
        self.fields["reporter_name"].label = _("Nom de la personne")
        self.fields["reporter_organization_name"].label = _("Structure (si elle n'est pas dans l'annuaire)")
        self.fields["reporter_type"].label = _("Type de capteur")
        self.fields["reporter_email"].label = _("E-mail")
        self.fields["reporter_email"].help_text = _(
            "Facultatif. Laissé vide, celui du contact de l'annuaire est repris."
        )
        self.fields["reporter_phone"].label = _("Téléphone (facultatif)")
        self.fields["reporter_person"].queryset = Person.objects.filter(
            fabrique=fabrique, anonymized_at__isnull=True
        ).select_related("organization")
        self.fields["evidence"].label = _("Éléments de preuve")
        self.fields["evidence_document"].label = _("Document joint")
        self.fields["place"].label = _("Quartier ou lieu")
        self.fields["consent_processing"].required = False
        self.fields["consent_processing"].label = _(
            "La personne a accepté que ses coordonnées soient enregistrées pour le suivi de ce besoin."
        )
        self.fields["consent_processing"].help_text = ""
        self.fields["consent_notifications"].label = _(
            "La personne souhaite être informée par e-mail des suites (elle recevra son lien de suivi)."
        )
        self.fields["public"].label = _("Public concerné")
        self.fields["commune"].label = _("Commune")
        self.order_fields([name for _legend, names in self.fieldsets for name in names])
        if not self.is_bound:
            self.initial.setdefault("reported_on", timezone.localdate())

    fieldsets = [
        (_("Le besoin"), ["title", "description", "public", "public_detail", "theme"]),
        (_("Où ?"), ["commune", "place"]),
        (_("Ce qui le montre"), ["evidence", "evidence_document"]),
        (
            _("Qui le signale"),
            [
                "reporter_person",
                "reporter_organization",
                "reporter_name",
                "reporter_organization_name",
                "reporter_type",
                "reporter_email",
                "reporter_phone",
            ],
        ),
        (_("Origine du signalement"), ["source", "source_detail", "reported_on"]),
        (_("Consentement"), ["consent_processing", "consent_notifications"]),
    ]


class ReportAttachForm(forms.Form):
    """The need a report joins, chosen by autocomplete among the fabrique's needs (never a <select> of
    them: a fabrique holds thousands); without JavaScript a typed reference or title is resolved."""

    need = forms.ModelChoiceField(
        label=_("Besoin"),
        queryset=Need.objects.none(),
        help_text=_("Tapez l'intitulé ou la référence du besoin, puis choisissez dans la liste."),
        error_messages={
            "required": _("Choisissez le besoin auquel rattacher ce signalement."),
            "invalid_choice": _("Ce besoin n'existe pas dans la fabrique."),
        },
    )

    def __init__(self, *args, fabrique, **kwargs):
        from fabrique.directory.autocomplete import as_autocomplete

        super().__init__(*args, **kwargs)
        self.fields["need"] = as_autocomplete(
            self.fields["need"],
            kind="need",
            fabrique=fabrique,
            queryset=Need.objects.filter(fabrique=fabrique),
        )


class ReportDismissForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Motif"),
        choices=_choices(DismissReason.choices, empty=_("— Choisir un motif —")),
        error_messages={"required": _("Choisissez le motif pour lequel le signalement est écarté.")},
    )
    details = forms.CharField(
        label=_("Précisions (facultatif)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=LONG_TEXT,
    )


# --- needs -------------------------------------------------------------------------------------------------


class NeedForm(forms.Form):
    title = forms.CharField(
        label=_("Intitulé (interne)"),
        max_length=200,
        error_messages={"required": _("Donnez un intitulé au besoin.")},
    )
    public_title = forms.CharField(
        label=_("Intitulé public"),
        max_length=200,
        required=False,
        help_text=_("Ce que voient le public et les personnes qui ont signalé le besoin. Vide : l'intitulé."),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=LONG_TEXT
    )
    public = forms.ChoiceField(label=_("Public concerné"), required=False)
    theme = forms.ChoiceField(label=_("Thème"), required=False)
    territory_label = forms.CharField(
        label=_("Précision territoriale"),
        max_length=200,
        required=False,
        help_text=_("Par exemple : quartiers nord, communes rurales du sud de l'agglomération."),
    )
    workstream = forms.ModelChoiceField(label=_("Chantier"), queryset=Need.objects.none(), required=False)
    officer = forms.ModelChoiceField(
        label=_("Chargé·e de mission"), queryset=Need.objects.none(), required=False
    )
    next_step_due = forms.DateField(
        label=_("Prochaine échéance"), widget=DATE_WIDGET, required=False, validators=[validate_sane_date]
    )

    def __init__(self, *args, fabrique, **kwargs):
        from fabrique.workstreams.models import Workstream

        from .services import officer_candidates

        super().__init__(*args, **kwargs)
        self.fields["commune"] = CommuneChoiceField(fabrique=fabrique, label=_("Commune"), required=False)
        self.fields["public"].choices = _choices(Public.choices, empty=_("— Choisir un public —"))
        self.fields["theme"].choices = _choices(Theme.choices, empty=_("— Choisir un thème —"))
        self.fields["workstream"].queryset = Workstream.objects.filter(fabrique=fabrique)
        self.fields["workstream"].empty_label = _("— Aucun —")
        self.fields["officer"].queryset = officer_candidates(fabrique=fabrique).order_by("last_name")
        self.fields["officer"].empty_label = _("— Personne —")
        self.order_fields(
            [
                "title",
                "public_title",
                "description",
                "public",
                "theme",
                "commune",
                "territory_label",
                "workstream",
                "officer",
                "next_step_due",
            ]
        )

    @classmethod
    def initial_from(cls, obj) -> dict:
        """Initial values from a need (edit) or a report (new need from a report)."""
        names = ["title", "public_title", "description", "public", "theme", "commune", "territory_label",
                 "workstream", "officer", "next_step_due"]  # fmt: skip
        return {name: getattr(obj, name) for name in names if hasattr(obj, name)}

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class QualificationForm(forms.Form):
    """One 0–3 score and one comment per active criterion of the fabrique."""

    SCORE_CHOICES = [
        ("", _("— Non évalué —")),
        ("0", _("0 — non")),
        ("1", _("1 — faiblement")),
        ("2", _("2 — plutôt oui")),
        ("3", _("3 — tout à fait")),
    ]

    def __init__(self, *args, criteria, scores: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            score = scores.get(criterion.pk)
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=criterion.label,
                choices=self.SCORE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                initial="" if score is None else str(score.score),
                error_messages={"invalid_choice": _("La note va de 0 à 3.")},
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Commentaire — %(label)s") % {"label": criterion.label},
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
                initial=score.comment if score else "",
                max_length=LONG_TEXT,
            )

    def clean(self):
        cleaned = super().clean()
        for criterion in self.criteria:
            if (
                cleaned.get(f"score_{criterion.pk}") is None
                and (cleaned.get(f"comment_{criterion.pk}") or "").strip()
            ):
                self.add_error(
                    f"score_{criterion.pk}", _("Donnez une note à ce critère, ou effacez le commentaire.")
                )
        return cleaned

    def rows(self):
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def scores(self) -> list[tuple[Criterion, int | None, str]]:
        return [
            (c, self.cleaned_data.get(f"score_{c.pk}"), self.cleaned_data.get(f"comment_{c.pk}") or "")
            for c in self.criteria
        ]


class NeedDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Décision"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez la décision."),
            "invalid_choice": _("Cette décision n'est pas possible."),
        },
    )
    reason_code = forms.ChoiceField(
        label=_("Motif (si non retenu)"),
        choices=_choices(NotRetainedReason.choices, empty=_("— Choisir un motif —")),
        required=False,
    )
    reasons = forms.CharField(
        label=_("Motifs et commentaires"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Pourquoi cette décision ; ce qui manque si des éléments complémentaires sont demandés."),
        max_length=LONG_TEXT,
    )
    decided_on = forms.DateField(
        label=_("Date de la décision"), widget=DATE_WIDGET, validators=[validate_sane_date]
    )

    def __init__(self, *args, outcomes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [(o.code, o.label) for o in outcomes]
        if not self.is_bound:
            self.initial.setdefault("decided_on", timezone.localdate())


# --- criteria ----------------------------------------------------------------------------------------------


class CriterionForm(forms.Form):
    label = forms.CharField(
        label=_("Critère"), max_length=200, error_messages={"required": _("Donnez l'intitulé du critère.")}
    )
    help_text = forms.CharField(
        label=_("Aide pour noter"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=LONG_TEXT,
    )
    weight = forms.IntegerField(
        label=_("Poids"),
        min_value=1,
        max_value=5,
        initial=1,
        help_text=_("De 1 à 5 : un critère de poids 2 compte double dans le total."),
        error_messages={
            "required": _("Indiquez le poids du critère (de 1 à 5)."),
            "min_value": _("Le poids va de 1 à 5."),
            "max_value": _("Le poids va de 1 à 5."),
            "invalid": _("Le poids est un nombre entier de 1 à 5."),
        },
    )


class CriterionUpdateForm(CriterionForm):
    is_active = forms.BooleanField(
        label=_("Critère utilisé"),
        required=False,
        help_text=_("Décochez pour ne plus l'utiliser : les notes déjà données restent visibles."),
    )


class ReportCorrectForm(forms.Form):
    """The team corrects what a report says (never who reported it); the reason is kept in the log."""

    title = forms.CharField(label=_("Ce qui manque"), max_length=200)
    description = forms.CharField(
        label=_("Description (facultatif)"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
    )
    public = forms.ChoiceField(label=_("Public concerné (facultatif)"), required=False)
    public_detail = forms.CharField(
        label=_("Précision sur le public (facultatif)"), max_length=200, required=False
    )
    theme = forms.ChoiceField(label=_("Thème (facultatif)"), required=False)
    place = forms.CharField(label=_("Quartier ou lieu (facultatif)"), max_length=200, required=False)
    reported_on = forms.DateField(
        label=_("Date du signalement"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[validate_sane_date],
    )
    reason = forms.CharField(
        label=_("Motif de la correction"),
        max_length=300,
        help_text=_("Par exemple : « faute de frappe dans la commune », « thème mal choisi »."),
        error_messages={"required": _("Dites en quelques mots ce que vous corrigez et pourquoi.")},
    )

    def __init__(self, *args, fabrique, report, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "title": report.title,
                "description": report.description,
                "public": report.public,
                "public_detail": report.public_detail,
                "theme": report.theme,
                "commune": report.commune,
                "place": report.place,
                "reported_on": report.reported_on,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["commune"] = CommuneChoiceField(
            fabrique=fabrique, label=_("Commune (facultatif)"), required=False
        )
        self.fields["public"].choices = _choices(Public.choices, empty=_("— Choisir un public —"))
        self.fields["theme"].choices = _choices(Theme.choices, empty=_("— Choisir un thème —"))
        self.order_fields(
            [
                "title",
                "description",
                "public",
                "public_detail",
                "theme",
                "commune",
                "place",
                "reported_on",
                "reason",
            ]
        )

    def service_data(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "reason"}


class NeedReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Pourquoi réexaminer ce besoin ?"),
        max_length=LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Par exemple : de nouveaux signalements, un contexte qui a changé, une décision à revoir."
        ),
        error_messages={"required": _("Expliquez pourquoi le besoin est réexaminé.")},
    )
