"""The small generic base of the API resources: each resource is a model, a serializer, a FilterSet
and the services it calls — a few lines each (fabrique/api/pipeline.py).

- Rows come from `rows()`, the fabrique's own rows only (another fabrique's id answers 404).
- Lists are filtered by a django-filter FilterSet (an unknown parameter or value is a French 400) and
  paginated by cursor (`?cursor=…`, stable under inserts).
- Writes never save a model here: `create_service(data)`, `update_service(obj, data)`,
  `delete_service(obj)` call the app's services, which validate, audit and raise French errors.
- `POST …/{id}/transitions/ {"to": "…"}` calls the service of that workflow step; a step the state
  machine refuses, or one that only a decision makes, answers 409 with the French reason.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import django_filters
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response

from fabrique.accounts.models import User as AccountUser
from fabrique.core.errors import TransitionNotAllowed
from fabrique.core.http import AuthenticatedRequest
from fabrique.core.limits import validate_sane_date
from fabrique.fabriques.models import Fabrique, Permission

from .filters import check_filters
from .permissions import FabriqueAccess
from .serializers import HonestModelSerializer

User = get_user_model()  # the model class (a run-time value; the annotations use accounts.User)


class IdCursorPagination(CursorPagination):
    """Cursor pagination on the primary key, newest first: pages stay right while rows are added."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_cursor_message = _("Curseur invalide.")


def fabrique_rows(model: type[models.Model], fabrique: Fabrique) -> models.QuerySet[Any]:
    """The rows of `model` that `fabrique` may name in a relation (None: no restriction)."""
    manager = model._default_manager
    if model is User:
        return manager.filter(memberships__fabrique=fabrique, memberships__is_active=True).distinct()
    names = {f.name for f in model._meta.get_fields()}
    if "fabrique" in names:
        return manager.filter(fabrique=fabrique)
    for parent in ("study", "plan", "project", "meeting", "enterprise", "call", "application"):
        if parent in names:
            related = model._meta.get_field(parent).related_model
            path = "fabrique" if "fabrique" in {f.name for f in related._meta.get_fields()} else None  # type: ignore[union-attr]
            if path:
                return manager.filter(**{f"{parent}__fabrique": fabrique})
            if parent == "enterprise":
                return manager.filter(enterprise__project__fabrique=fabrique)
    return manager.all()


class ResourceSerializer(HonestModelSerializer):
    # A model serializer whose relations accept only the rows of the request's fabrique. A comment,
    # not a docstring: drf-spectacular would publish a docstring as every component's description.

    def get_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = super().get_fields()
        view = self.context.get("view")
        fabrique = getattr(view, "fabrique", None)
        for field in fields.values():
            relation = getattr(field, "child_relation", field)
            queryset = getattr(relation, "queryset", None)
            if queryset is None or field.read_only:
                continue
            if fabrique is None:
                relation.queryset = queryset.none()
            else:
                relation.queryset = fabrique_rows(queryset.model, fabrique)
        return fields


class ApiFilterSet(django_filters.FilterSet):  # type: ignore[misc]
    """A FilterSet built with or without the fabrique (`check_filters` passes it).

    Dates and date-times are bounded like every typed date (`validate_sane_date`: a French 400), and
    an aware date-time is compared in UTC: PostgreSQL refuses an offset beyond ±15:59 (`-21:30`, which
    Python accepts), and the query answered 500 (found by the Schemathesis run on PostgreSQL)."""

    def __init__(
        self, data: Any = None, queryset: Any = None, *, fabrique: Any = None, **kwargs: Any
    ) -> None:
        super().__init__(data, queryset, **kwargs)

    def is_valid(self) -> bool:
        if not super().is_valid():
            return False
        cleaned = self.form.cleaned_data
        for name, value in list(cleaned.items()):
            if not isinstance(value, datetime.date):
                continue
            try:
                validate_sane_date(value)
            except DjangoValidationError as exc:
                self.form.add_error(name, exc)
                continue
            if isinstance(value, datetime.datetime) and timezone.is_aware(value):
                cleaned[name] = value.astimezone(datetime.UTC)
        return not self.form.errors


def filterset_for(model: type[models.Model], fields: Mapping[str, list[str]]) -> type[ApiFilterSet]:
    meta = type("Meta", (), {"model": model, "fields": dict(fields)})
    return type(f"{model.__name__}ApiFilter", (ApiFilterSet,), {"Meta": meta})


NOTE_MAX = 2000  # the audit entry's note is bounded by its inputs (forms, and this endpoint)

TRANSITION_BODY = inline_serializer(
    name="TransitionRequest",
    fields={
        "to": serializers.CharField(help_text="Étape visée (valeur du champ d'étape)."),
        "note": serializers.CharField(
            required=False,
            allow_blank=True,
            max_length=NOTE_MAX,
            help_text="Motif ou commentaire, quand l'étape en demande un.",
        ),
        "reason": serializers.CharField(
            required=False, allow_blank=True, max_length=40, help_text="Code du motif (arrêt d'un projet)."
        ),
    },
)


class ResourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):  # type: ignore[type-arg]
    """List and read the rows of one fabrique. Subclasses set `model`, `serializer_class`, and
    optionally `filter_fields` (django-filter's dict), `related` (select_related), `prefetch`,
    `read_permission` / `write_permission`, and override `rows()` for a narrower set."""

    permission_classes = [FabriqueAccess]
    pagination_class = IdCursorPagination
    filter_backends = [DjangoFilterBackend]
    model: type[models.Model]
    filter_fields: Mapping[str, list[str]] = {}
    related: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()
    read_permission = Permission.VIEW
    write_permission = Permission.EDIT
    fabrique: Fabrique
    filterset_class: type[ApiFilterSet]
    request: AuthenticatedRequest  # FabriqueAccess lets only logged-in members through

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "model", None) is not None and "filterset_class" not in cls.__dict__:
            cls.filterset_class = filterset_for(cls.model, cls.filter_fields)

    def rows(self) -> models.QuerySet[Any]:
        return fabrique_rows(self.model, self.fabrique)

    def get_queryset(self) -> models.QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return self.model._default_manager.none()
        qs = self.rows()
        if self.related:
            qs = qs.select_related(*self.related)
        if self.prefetch:
            qs = qs.prefetch_related(*self.prefetch)
        return qs

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        check_filters(
            filterset_class=self.filterset_class,
            params=request.query_params,
            fabrique=self.fabrique,
            model=self.model,
        )
        return super().list(request, *args, **kwargs)

    def user(self) -> AccountUser:
        return self.request.user


@dataclass(frozen=True)
class Via:
    """A write service and the keyword it takes its row by: `Via(milestone_create, "plan")` calls
    `milestone_create(plan=<the plan of the data>, actor=<user>, **data)`; `Via(milestone_update,
    "milestone")` calls `milestone_update(milestone=<the row>, actor=<user>, **data)`. On creation,
    "fabrique" names the fabrique of the URL."""

    service: Callable[..., Any]
    keyword: str


class CreateMixin:
    """POST on the list: `create_service(data)` makes the row; by default the service of `creates`."""

    creates: Via | None = None

    def create_service(self, data: dict[str, Any]) -> Any:
        if self.creates is None:  # pragma: no cover - a resource sets `creates` or overrides this
            raise NotImplementedError
        key = self.creates.keyword
        row = self.fabrique if key == "fabrique" else data.pop(key)  # type: ignore[attr-defined]
        return self.creates.service(**{key: row}, actor=self.user(), **data)  # type: ignore[attr-defined]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)  # type: ignore[attr-defined]
        serializer.is_valid(raise_exception=True)
        obj = self.create_service(dict(serializer.validated_data))
        obj = self.get_queryset().get(pk=obj.pk)  # type: ignore[attr-defined]
        return Response(self.get_serializer(obj).data, status=status.HTTP_201_CREATED)  # type: ignore[attr-defined]


class UpdateMixin:
    """PUT / PATCH on a row: `update_service(obj, data)` changes it; by default the service of `updates`."""

    updates: Via | None = None

    def update_service(self, obj: Any, data: dict[str, Any]) -> Any:
        if self.updates is None:  # pragma: no cover - a resource sets `updates` or overrides this
            raise NotImplementedError
        return self.updates.service(**{self.updates.keyword: obj}, actor=self.user(), **data)  # type: ignore[attr-defined]

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        obj = self.get_object()  # type: ignore[attr-defined]
        serializer = self.get_serializer(obj, data=request.data, partial=partial)  # type: ignore[attr-defined]
        serializer.is_valid(raise_exception=True)
        obj = self.update_service(obj, dict(serializer.validated_data))
        obj = self.get_queryset().get(pk=obj.pk)  # type: ignore[attr-defined]
        return Response(self.get_serializer(obj).data)  # type: ignore[attr-defined]

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)


class DestroyMixin:
    """DELETE on a row: `delete_service(obj)`."""

    def delete_service(self, obj: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.delete_service(self.get_object())  # type: ignore[attr-defined]
        return Response(status=status.HTTP_204_NO_CONTENT)


Step = Callable[[Any, Any, Mapping[str, Any]], Any]  # (view, obj, body) -> obj


class TransitionMixin:
    """`POST …/{id}/transitions/ {"to": "…"}`. `steps` maps a target stage to the service call;
    `decided_elsewhere` explains the stages only a decision reaches (answered 409)."""

    steps: Mapping[str, Step] = {}
    decided_elsewhere = ""
    transition_permission = Permission.EDIT

    @extend_schema(
        request=TRANSITION_BODY,
        summary="Changer d'étape",
        description=(
            "Passe l'objet à l'étape `to` par le service de cette étape (mêmes règles que le back-office). "
            "Répond l'objet à jour ; 409 avec le motif quand la machine à états refuse ou quand l'étape "
            "résulte d'une décision."
        ),
        examples=[OpenApiExample("Exemple", value={"to": "closed", "note": ""}, request_only=True)],
    )
    @action(detail=True, methods=["post"], url_path="transitions")
    def transitions(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()  # type: ignore[attr-defined]
        workflow = type(obj).workflow
        body = request.data if isinstance(request.data, Mapping) else {}
        target = body.get("to")
        if not isinstance(target, str) or target not in workflow.stages.values:
            raise ValidationError(
                {
                    "to": [
                        _("Étape inconnue. Étapes possibles : %(values)s.")
                        % {"values": ", ".join(workflow.stages.values)}
                    ]
                }
            )
        for key, limit in (("note", NOTE_MAX), ("reason", 40)):
            if key in body and not isinstance(body[key], str):
                raise ValidationError({key: [_("Texte attendu.")]})
            if len(body.get(key) or "") > limit:
                raise ValidationError({key: [_("Au plus %(max)s caractères.") % {"max": limit}]})
        current = getattr(obj, workflow.field)
        if target != current and target not in workflow.allowed_targets(current):
            raise TransitionNotAllowed(
                _("Impossible de passer « %(obj)s » de l'étape « %(from)s » à « %(to)s ».")
                % {"obj": obj, "from": workflow.label(current), "to": workflow.label(target)}
            )
        step = self.steps.get(target)
        if step is None:
            raise TransitionNotAllowed(
                _("L'étape « %(to)s » ne se choisit pas directement : %(how)s")
                % {
                    "to": workflow.label(target),
                    "how": self.decided_elsewhere or _("elle suit une décision."),
                }
            )
        step(self, obj, body)
        obj = self.get_queryset().get(pk=obj.pk)  # type: ignore[attr-defined]
        return Response(self.get_serializer(obj).data)  # type: ignore[attr-defined]
