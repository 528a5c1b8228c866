"""The OpenAPI schema says every status code the API can answer, with the body it sends.

drf-spectacular documents only the success of each operation; the API also answers:
400 (invalid input or filter), 401 (no or wrong credentials), 403 (no right on this fabrique, or a
read-only role writing), 404 (unknown fabrique, row or page), 409 (a state change not allowed now)
and 429 (too many requests for one token). Their bodies are documented here.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from rest_framework import serializers

ERROR = inline_serializer(
    name="Error",
    fields={
        "detail": serializers.CharField(help_text="Message en français."),
        "code": serializers.CharField(required=False, help_text="Code de l'erreur, pour les programmes."),
    },
)
# {"champ": ["message", ...], "non_field_errors": [...]} — or a "detail" message for a bad filter
VALIDATION_ERROR: dict[str, Any] = {
    "type": "object",
    "description": "Erreurs par champ (listes de messages en français), ou « detail ».",
    "additionalProperties": True,
}

_DESCRIPTIONS = {
    "400": "Données ou filtres invalides (messages en français, par champ).",
    "401": "Identifiants absents ou incorrects.",
    "403": "Pas de droit sur cette fabrique, ou rôle en lecture seule.",
    "404": "Fabrique, objet ou page inconnus.",
    "409": "Changement d'état impossible à ce stade.",
    "429": "Trop de requêtes avec ce jeton : réessayez après le délai indiqué (en-tête Retry-After).",
}


_EXAMPLES = {
    "400": {"title": ["Ce champ est obligatoire."], "stage": ["« licorne » n'est pas un choix valide."]},
    "401": {"detail": "Ce jeton a expiré."},
    "403": {"detail": "Ce jeton est en lecture seule."},
    "404": {"detail": "Élément introuvable."},
    "409": {
        "detail": "Impossible de passer « Appel X » de l'étape « publié » à « décidé ».",
        "code": "transition_not_allowed",
    },
    "429": {"detail": "Requête ralentie. Réessayez dans 30 secondes."},
}


def _example(code: str) -> list[OpenApiExample]:
    return [OpenApiExample(f"Erreur {code}", value=_EXAMPLES[code], response_only=True, status_codes=[code])]


class FabriqueAutoSchema(AutoSchema):
    def get_description(self) -> str:  # type: ignore[override]
        # docstrings are written for developers, in English: the schema speaks French through the
        # summaries and descriptions given with extend_schema (which override this method)
        return ""

    def get_tags(self) -> list[str]:
        return list(getattr(self.view, "api_tags", None) or super().get_tags())

    def _error_codes(self) -> list[str]:
        codes = ["401", "403", "404", "429"]
        if self.method in ("POST", "PUT", "PATCH") or self._is_list_view():
            codes.append("400")
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.append("409")
        return sorted(codes)

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            if code in responses:
                continue
            if code == "400":
                body = OpenApiResponse(
                    response=VALIDATION_ERROR, description=_DESCRIPTIONS[code], examples=_example(code)
                )
            else:
                body = OpenApiResponse(
                    response=ERROR, description=_DESCRIPTIONS[code], examples=_example(code)
                )
            responses[code] = self._get_response_for_code(body, code, direction=direction)  # type: ignore[no-untyped-call]
        return responses


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = "fabrique.api.authentication.TokenAuthentication"
    name = "jeton"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "Jeton personnel, créé depuis la page « Jetons d'API » du back-office : "
                "`Authorization: Bearer fab_…`. Il vaut pour une fabrique, en lecture ou en écriture, "
                "jusqu'à sa date d'expiration."
            ),
        }
