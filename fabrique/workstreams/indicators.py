"""The workstreams' figures (registered from WorkstreamsConfig.ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fabrique.core.indicators import Indicator, register

from .models import Workstream, WorkstreamStatus


def register_all() -> None:
    register(
        Indicator(
            key="workstreams.active",
            label=_("chantiers actifs"),
            singular=_("chantier actif"),
            column_label=_("Chantiers actifs"),
            definition=_("Chantiers dont le statut est « actif »."),
            rows=lambda: Workstream.objects.filter(status=WorkstreamStatus.ACTIVE),
            url_name="backoffice:workstream_list",
            url_query={"status": WorkstreamStatus.ACTIVE},
            network=True,
        )
    )
