"""API endpoints. Under v1/<fabrique_slug>/: the directory (organizations, people) and the workstreams.

Reads need VIEW, writes EDIT (`FabriqueAccess`); rows are fetched through the selectors of the
fabrique, so another fabrique's id answers 404; writes call the same services as the back-office.
"""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from fabrique.directory.errors import ProbableDuplicate
from fabrique.directory.filters import OrganizationFilter, PersonFilter
from fabrique.directory.models import EcosystemRole, Organization, OrganizationKind, Person, Purpose
from fabrique.directory.selectors import organization_list, person_list
from fabrique.directory.services import (
    organization_create,
    organization_delete,
    organization_update,
    person_create,
    person_delete,
    person_update,
)
from fabrique.workstreams.filters import WorkstreamFilter
from fabrique.workstreams.models import Workstream, WorkstreamStatus
from fabrique.workstreams.selectors import workstream_list
from fabrique.workstreams.services import workstream_create, workstream_delete, workstream_update

from .filters import api_params, check_filters
from .permissions import FabriqueAccess
from .serializers import OrganizationSerializer, PersonSerializer, WorkstreamSerializer


def _duplicate_response(exc: ProbableDuplicate) -> Response:
    return Response(
        {
            "non_field_errors": [exc.message],
            "code": exc.code,
            "duplicates": [{"id": d.pk, "label": str(d)} for d in exc.duplicates],
            "confirm_not_duplicate": [
                _("Envoyez « confirm_not_duplicate »: true pour enregistrer malgré tout.")
            ],
        },
        status=status.HTTP_400_BAD_REQUEST,
    )


class FabriqueModelViewSet(viewsets.ModelViewSet):
    """List, create, retrieve, update and soft-delete rows of one fabrique through selectors and services."""

    permission_classes = [FabriqueAccess]
    model: type
    list_selector = None  # staticmethod(selector)
    list_filters: type  # the FilterSet the selector applies: its parameters are checked first

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return self.model.objects.none()
        if self.action == "list":
            params = api_params(self.request.query_params)
            check_filters(
                filterset_class=self.list_filters, params=params, fabrique=self.fabrique, model=self.model
            )
            return self.list_selector(fabrique=self.fabrique, filters=params)
        return self.model.objects.filter(fabrique=self.fabrique)

    def split(self, serializer) -> tuple[dict, bool]:
        data = dict(serializer.validated_data)
        return data, bool(data.pop("confirm_not_duplicate", False))

    def create(self, request, *args, **kwargs):
        try:
            return super().create(request, *args, **kwargs)
        except ProbableDuplicate as exc:
            return _duplicate_response(exc)

    def update(self, request, *args, **kwargs):
        try:
            return super().update(request, *args, **kwargs)
        except ProbableDuplicate as exc:
            return _duplicate_response(exc)

    def perform_create(self, serializer):
        data, allow_duplicate = self.split(serializer)
        serializer.instance = self.create_service(data, allow_duplicate)

    def perform_update(self, serializer):
        data, allow_duplicate = self.split(serializer)
        serializer.instance = self.update_service(serializer.instance, data, allow_duplicate)


def _filter_parameters(*params: tuple[str, str, list | None]) -> list[OpenApiParameter]:
    return [
        OpenApiParameter(name, OpenApiTypes.STR, description=description, enum=enum)
        for name, description, enum in params
    ]


_DIRECTORY = ["annuaire"]


@extend_schema_view(
    list=extend_schema(
        tags=_DIRECTORY,
        summary="Structures de la fabrique",
        parameters=_filter_parameters(
            ("q", "Recherche sur le nom (sans accents), le début du SIREN ou l'e-mail.", None),
            ("kind", "Type de structure.", OrganizationKind.values),
            ("role", "Rôle dans l'écosystème.", EcosystemRole.values),
            ("departement", "Code du département de la commune.", None),
            ("commune", "Identifiant de la commune.", None),
            ("workstream", "Identifiant d'un chantier dont la structure est membre.", None),
        ),
    ),
    create=extend_schema(tags=_DIRECTORY, summary="Créer une structure"),
    retrieve=extend_schema(tags=_DIRECTORY, summary="Une structure"),
    update=extend_schema(tags=_DIRECTORY, summary="Modifier une structure"),
    partial_update=extend_schema(tags=_DIRECTORY, summary="Modifier une partie d'une structure"),
    destroy=extend_schema(tags=_DIRECTORY, summary="Supprimer une structure (suppression logique)"),
)
class OrganizationViewSet(FabriqueModelViewSet):
    model = Organization
    serializer_class = OrganizationSerializer
    list_selector = staticmethod(organization_list)
    list_filters = OrganizationFilter

    def create_service(self, data, allow_duplicate):
        return organization_create(
            fabrique=self.fabrique, actor=self.request.user, allow_duplicate=allow_duplicate, **data
        )

    def update_service(self, instance, data, allow_duplicate):
        return organization_update(
            organization=instance, actor=self.request.user, **data, allow_duplicate=allow_duplicate
        )

    def perform_destroy(self, instance):
        organization_delete(organization=instance, actor=self.request.user)


@extend_schema_view(
    list=extend_schema(
        tags=_DIRECTORY,
        summary="Contacts de la fabrique",
        parameters=_filter_parameters(
            ("q", "Recherche sur le nom (sans accents) ou l'e-mail.", None),
            ("organization", "Identifiant de la structure.", None),
            ("kind", "Type de la structure.", OrganizationKind.values),
            ("role", "Rôle de la structure dans l'écosystème.", EcosystemRole.values),
            ("workstream", "Identifiant d'un chantier dont la structure est membre.", None),
            ("purpose", "Finalité du traitement.", Purpose.values),
        ),
    ),
    create=extend_schema(tags=_DIRECTORY, summary="Créer un contact"),
    retrieve=extend_schema(tags=_DIRECTORY, summary="Un contact"),
    update=extend_schema(tags=_DIRECTORY, summary="Modifier un contact"),
    partial_update=extend_schema(tags=_DIRECTORY, summary="Modifier une partie d'un contact"),
    destroy=extend_schema(tags=_DIRECTORY, summary="Supprimer un contact (suppression logique)"),
)
class PersonViewSet(FabriqueModelViewSet):
    model = Person
    serializer_class = PersonSerializer
    list_selector = staticmethod(person_list)
    list_filters = PersonFilter

    def create_service(self, data, allow_duplicate):
        return person_create(
            fabrique=self.fabrique, actor=self.request.user, allow_duplicate=allow_duplicate, **data
        )

    def update_service(self, instance, data, allow_duplicate):
        return person_update(
            person=instance, actor=self.request.user, **data, allow_duplicate=allow_duplicate
        )

    def perform_destroy(self, instance):
        person_delete(person=instance, actor=self.request.user)


_WORKSTREAMS = ["chantiers"]


@extend_schema_view(
    list=extend_schema(
        tags=_WORKSTREAMS,
        summary="Chantiers de la fabrique",
        parameters=_filter_parameters(
            ("q", "Recherche sur le nom (sans accents) ou le code.", None),
            ("status", "Statut.", WorkstreamStatus.values),
            ("organization", "Identifiant d'une structure membre.", None),
        ),
    ),
    create=extend_schema(tags=_WORKSTREAMS, summary="Créer un chantier"),
    retrieve=extend_schema(tags=_WORKSTREAMS, summary="Un chantier"),
    update=extend_schema(tags=_WORKSTREAMS, summary="Modifier un chantier"),
    partial_update=extend_schema(tags=_WORKSTREAMS, summary="Modifier une partie d'un chantier"),
    destroy=extend_schema(tags=_WORKSTREAMS, summary="Supprimer un chantier (suppression logique)"),
)
class WorkstreamViewSet(FabriqueModelViewSet):
    model = Workstream
    serializer_class = WorkstreamSerializer
    list_selector = staticmethod(workstream_list)
    list_filters = WorkstreamFilter

    def get_queryset(self):
        return super().get_queryset().select_related("lead").prefetch_related("members")

    def create_service(self, data, allow_duplicate):
        return workstream_create(fabrique=self.fabrique, actor=self.request.user, **data)

    def update_service(self, instance, data, allow_duplicate):
        return workstream_update(workstream=instance, actor=self.request.user, **data)

    def perform_destroy(self, instance):
        workstream_delete(workstream=instance, actor=self.request.user)


router = SimpleRouter()
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("people", PersonViewSet, basename="person")
router.register("workstreams", WorkstreamViewSet, basename="workstream")

urlpatterns: list = []
fabrique_urlpatterns: list = [*router.urls]
