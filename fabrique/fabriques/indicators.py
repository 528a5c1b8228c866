"""The fabriques' own figures (registered from FabriquesConfig.ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fabrique.core.indicators import Indicator, register

from .models import Membership


def register_all() -> None:
    register(
        Indicator(
            key="fabriques.members",
            label=_("membres de l'équipe"),
            column_label=_("Membres de l'équipe"),
            definition=_("Comptes actifs de l'équipe de la fabrique, tous rôles confondus."),
            rows=lambda: Membership.objects.filter(is_active=True),
            url_name="backoffice:team",
            dashboard=False,
            network=True,
        )
    )
