"""API serializers: they parse and validate input and shape output; writes go through the services.

Relations are scoped to the fabrique of the request (taken from the view), so a primary key of
another fabrique's row is refused as "does not exist".
"""

from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from rest_framework import serializers

from fabrique.directory.models import EcosystemRole, Organization, Person
from fabrique.directory.selectors import organization_choices
from fabrique.territories.models import Commune
from fabrique.workstreams.models import Workstream
from fabrique.workstreams.selectors import workstream_lead_candidates


class HonestModelSerializer(serializers.ModelSerializer):  # type: ignore[type-arg]
    # A model serializer whose read-only fields say what they may hold, so the schema is true: null
    # when the model field (or the first relation of a dotted source) is nullable, "" for a choice
    # field the model allows blank (DRF drops both from read-only fields). A comment, not a
    # docstring: drf-spectacular would publish a docstring as every component's description.

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        model: Any = self.Meta.model
        for name, field in fields.items():
            if not field.read_only:
                continue
            source = name if field.source in (None, "*") else field.source
            try:
                model_field = model._meta.get_field(source.split(".")[0])
            except FieldDoesNotExist:
                continue
            if getattr(model_field, "null", False):
                field.allow_null = True
            if isinstance(field, serializers.ChoiceField) and getattr(model_field, "blank", False):
                field.allow_blank = True
        return fields


def _view_fabrique(serializer: serializers.BaseSerializer) -> Any:  # type: ignore[type-arg]
    view = serializer.context.get("view")
    return getattr(view, "fabrique", None)


class OrganizationSerializer(HonestModelSerializer):
    commune = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Commune.objects.filter(kind=Commune.Kind.CURRENT),
        required=False,
        allow_null=True,
        help_text="Code INSEE de la commune (COG).",
    )
    commune_name = serializers.CharField(source="commune.name", read_only=True, allow_null=True)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=EcosystemRole.choices), required=False, allow_empty=True
    )
    confirm_not_duplicate = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Vrai pour enregistrer malgré un doublon probable signalé par une réponse précédente.",
    )

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "kind",
            "siren",
            "commune",
            "commune_name",
            "address",
            "postal_code",
            "website",
            "email",
            "phone",
            "description",
            "roles",
            "created_at",
            "updated_at",
            "confirm_not_duplicate",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]


class PersonSerializer(HonestModelSerializer):
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(), required=False, allow_null=True
    )
    confirm_not_duplicate = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Vrai pour enregistrer malgré un doublon probable signalé par une réponse précédente.",
    )

    class Meta:
        model = Person
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "organization",
            "job_title",
            "notes",
            "purpose",
            "legal_basis",
            "consent_given",
            "consent_date",
            "consent_source",
            "retention_until",
            "anonymized_at",
            "created_at",
            "updated_at",
            "confirm_not_duplicate",
        ]
        read_only_fields = ["id", "anonymized_at", "created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fabrique = _view_fabrique(self)
        if fabrique is not None:
            organization: Any = self.fields["organization"]  # a related field (stubs type its queryset oddly)
            organization.queryset = organization_choices(fabrique=fabrique)


class WorkstreamSerializer(HonestModelSerializer):
    lead = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.none(),
        required=False,
        allow_null=True,
        help_text="Identifiant d'un membre de l'équipe de la fabrique.",
    )
    lead_name = serializers.CharField(source="lead", read_only=True, allow_null=True)
    members = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.none(),
        many=True,
        required=False,
        help_text="Identifiants des structures membres (de la même fabrique).",
    )
    code = serializers.SlugField(max_length=60, required=False, allow_blank=True)

    class Meta:
        model = Workstream
        fields = [
            "id",
            "name",
            "code",
            "description",
            "status",
            "colour",
            "lead",
            "lead_name",
            "members",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fabrique = _view_fabrique(self)
        if fabrique is not None:
            lead: Any = self.fields["lead"]  # related fields (stubs type their queryset oddly)
            members: Any = self.fields["members"]
            lead.queryset = workstream_lead_candidates(fabrique=fabrique)
            members.child_relation.queryset = organization_choices(fabrique=fabrique)
