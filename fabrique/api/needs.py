"""API of detection: reports (read, and create through `need_report_submit`) and needs (read).

Reads need VIEW, writes EDIT (`FabriqueAccess`); rows are fetched for the fabrique of the URL only,
so another fabrique's id answers 404.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.routers import SimpleRouter

from fabrique.core.choices import Theme
from fabrique.directory.models import Organization, Person
from fabrique.fabriques.access import access_object, memberships_of
from fabrique.needs.filters import NeedFilter, NeedReportFilter
from fabrique.needs.models import Need, NeedReport, NeedStage, ReportSource, ReportStage
from fabrique.needs.selectors import need_list, need_report_list
from fabrique.needs.services import need_report_submit
from fabrique.territories.models import Commune

from .filters import api_params, check_filters
from .permissions import FabriqueAccess
from .serializers import HonestModelSerializer


class ObjectFirstMixin:
    """An id of another fabrique's row answers 404 to every member, before the role is checked."""

    lookup_model: type

    def initial(self, request, *args, **kwargs):
        if "pk" in kwargs and request.user and request.user.is_authenticated:
            membership = memberships_of(request.user).filter(fabrique__slug=kwargs["fabrique_slug"]).first()
            if membership is not None:
                access_object(self.lookup_model, fabrique=membership.fabrique, pk=kwargs["pk"])
        super().initial(request, *args, **kwargs)


def _view_fabrique(serializer):
    view = serializer.context.get("view")
    return getattr(view, "fabrique", None)


class NeedReportSerializer(HonestModelSerializer):
    commune = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Commune.objects.filter(kind=Commune.Kind.CURRENT),
        required=False,
        allow_null=True,
        help_text="Code INSEE de la commune (COG).",
    )
    commune_name = serializers.CharField(source="commune.name", read_only=True, allow_null=True)
    reporter_person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.none(), required=False, allow_null=True
    )
    reporter_organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(), required=False, allow_null=True
    )
    source = serializers.ChoiceField(choices=ReportSource.choices, required=False)
    need = serializers.PrimaryKeyRelatedField(read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)

    class Meta:
        model = NeedReport
        fields = [
            "id",
            "reference",
            "title",
            "description",
            "public",
            "public_detail",
            "theme",
            "commune",
            "commune_name",
            "place",
            "evidence",
            "reporter_name",
            "reporter_organization_name",
            "reporter_email",
            "reporter_phone",
            "reporter_type",
            "reporter_person",
            "reporter_organization",
            "consent_processing",
            "consent_notifications",
            "source",
            "source_detail",
            "reported_on",
            "stage",
            "stage_label",
            "dismiss_reason",
            "need",
            "created_at",
        ]
        read_only_fields = ["id", "reference", "stage", "stage_label", "dismiss_reason", "need", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fabrique = _view_fabrique(self)
        if fabrique is not None:
            self.fields["reporter_person"].queryset = Person.objects.filter(
                fabrique=fabrique, anonymized_at__isnull=True
            )
            self.fields["reporter_organization"].queryset = Organization.objects.filter(fabrique=fabrique)


class NeedSerializer(HonestModelSerializer):
    commune = serializers.SlugRelatedField(slug_field="code", read_only=True)
    commune_name = serializers.CharField(source="commune.name", read_only=True, allow_null=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    reports = serializers.SerializerMethodField(help_text="Identifiants des signalements rattachés.")

    class Meta:
        model = Need
        fields = [
            "id",
            "reference",
            "title",
            "public_title",
            "description",
            "public",
            "theme",
            "commune",
            "commune_name",
            "territory_label",
            "workstream",
            "officer",
            "stage",
            "stage_label",
            "not_retained_reason",
            "decision_notes",
            "next_step_due",
            "reports",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_reports(self, need) -> list[int]:
        return [r.pk for r in need.reports.all() if r.deleted_at is None]


def _parameters(*params: tuple[str, str, list | None]) -> list[OpenApiParameter]:
    return [
        OpenApiParameter(name, OpenApiTypes.STR, description=text, enum=enum) for name, text, enum in params
    ]


_TAGS = ["besoins"]


@extend_schema_view(
    list=extend_schema(
        tags=_TAGS,
        summary="Signalements de la fabrique",
        parameters=_parameters(
            ("q", "Recherche (intitulé, référence, description, structure, lieu).", None),
            ("stage", "Étape.", ReportStage.values),
            ("theme", "Thème.", Theme.values),
            ("source", "Source.", ReportSource.values),
            ("commune", "Identifiant de la commune.", None),
        ),
    ),
    create=extend_schema(tags=_TAGS, summary="Saisir un signalement (saisie par l'équipe)"),
    retrieve=extend_schema(tags=_TAGS, summary="Un signalement"),
)
class NeedReportViewSet(
    ObjectFirstMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    lookup_model = NeedReport
    permission_classes = [FabriqueAccess]
    serializer_class = NeedReportSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return NeedReport.objects.none()
        if self.action == "list":
            params = api_params(self.request.query_params)
            check_filters(
                filterset_class=NeedReportFilter, params=params, fabrique=self.fabrique, model=NeedReport
            )
            return need_report_list(fabrique=self.fabrique, filters=params)
        return NeedReport.objects.filter(fabrique=self.fabrique).select_related("commune")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        try:
            serializer.instance = need_report_submit(
                fabrique=self.fabrique, **data, entered_by=self.request.user
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from exc


@extend_schema_view(
    list=extend_schema(
        tags=_TAGS,
        summary="Besoins de la fabrique",
        parameters=_parameters(
            ("q", "Recherche (intitulé, intitulé public, référence, description).", None),
            ("stage", "Étape.", NeedStage.values),
            ("theme", "Thème.", Theme.values),
            ("commune", "Identifiant de la commune.", None),
            ("workstream", "Identifiant du chantier.", None),
            ("officer", "Identifiant du ou de la chargé·e de mission.", None),
        ),
    ),
    retrieve=extend_schema(tags=_TAGS, summary="Un besoin"),
)
class NeedViewSet(ObjectFirstMixin, viewsets.ReadOnlyModelViewSet):
    lookup_model = Need
    permission_classes = [FabriqueAccess]
    serializer_class = NeedSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Need.objects.none()
        if self.action == "list":
            params = api_params(self.request.query_params)
            check_filters(filterset_class=NeedFilter, params=params, fabrique=self.fabrique, model=Need)
            qs = need_list(fabrique=self.fabrique, filters=params)
        else:
            qs = Need.objects.filter(fabrique=self.fabrique).select_related("commune")
        # the reports' ids only (the serializer lists them): not every column of every report
        reports = NeedReport._default_manager.only("id", "need_id", "deleted_at")
        return qs.prefetch_related(Prefetch("reports", queryset=reports))


router = SimpleRouter()
router.register("reports", NeedReportViewSet, basename="need-report")
router.register("needs", NeedViewSet, basename="need")

fabrique_urlpatterns: list = [*router.urls]
