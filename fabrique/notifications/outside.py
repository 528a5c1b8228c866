"""E-mails to people outside the team: reporters (only those who agreed to be informed) and
candidates. Plain text and HTML, French, the fabrique's name, their own follow-up link. Each goes
out once per event × address."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrique.audit.models import AuditEntry
from fabrique.core.delivery import deliver_once, email_message, in_french
from fabrique.core.emailtexts import custom_email_text
from fabrique.core.events import on_action

if TYPE_CHECKING:
    from fabrique.fabriques.models import Fabrique
    from fabrique.needs.models import Need


def _send(
    *,
    entry: AuditEntry,
    fabrique: Fabrique,
    to: str,
    subject: str,
    lines: list[str],
    links: list[tuple[str, str]],
) -> bool:
    context = {"fabrique": fabrique, "lines": [line for line in lines if line], "links": links}

    def build() -> EmailMultiAlternatives:
        return email_message(
            to=[to],
            subject=f"{fabrique.name} — {subject}",
            text=render_to_string("notifications/email/outside.txt", context),
            html=render_to_string("notifications/email/outside.html", context),
            reply_to=[fabrique.contact_email] if fabrique.contact_email else None,
        )

    message = in_french(build)
    return deliver_once(f"event:{entry.pk}:{to.lower()}", message.send)


def _reporters(needs: Iterable[Need]) -> dict[str, list[tuple[str, str]]]:
    """Consenting reporters of the needs, by address, with their reports."""
    from fabrique.needs.emails import followup_url
    from fabrique.needs.models import NeedReport, ReportStage

    by_address: dict[str, list[tuple[str, str]]] = {}
    reports = NeedReport.objects.filter(
        need__in=needs, stage=ReportStage.ATTACHED, consent_notifications=True
    ).exclude(reporter_email="")
    for report in reports.select_related("fabrique").order_by("created_at"):
        by_address.setdefault(report.reporter_email.lower(), []).append(
            (f"{report.reference} — {report.title}", followup_url(report))
        )
    return by_address


def _decision_reason(entry: AuditEntry) -> str:
    from fabrique.committees.models import Decision

    if not entry.decision_ref.startswith("committees.decision:"):
        return ""
    decision = Decision.objects.filter(pk=entry.decision_ref.split(":", 1)[1]).first()
    if decision is None:
        return ""
    label = ""
    if decision.reason_code:
        from fabrique.needs.models import NotRetainedReason

        label = str(dict(NotRetainedReason.choices).get(decision.reason_code, decision.reason_code))
    return " — ".join(str(part) for part in (label, decision.reasons) if part)


def reporters_told(
    *, entry: AuditEntry, fabrique: Fabrique, needs: Iterable[Need], subject: str, lines: list[str]
) -> int:
    """E-mail the consenting reporters of `needs` (each with their follow-up links), once per event."""
    sent = 0
    for address, links in _reporters(needs).items():
        sent += bool(
            _send(entry=entry, fabrique=fabrique, to=address, subject=subject, lines=lines, links=links)
        )
    return sent


NEED_MESSAGES = {
    "needs.need.retained": (
        gettext_lazy("le besoin que vous avez signalé est retenu"),
        gettext_lazy(
            "Bonne nouvelle : l'équipe a retenu le besoin que vous aviez signalé (« %(title)s »). Elle va "
            "maintenant chercher, avec les acteurs du territoire, une réponse adaptée."
        ),
    ),
    "needs.need.not_retained": (
        gettext_lazy("le besoin que vous avez signalé n'est pas retenu"),
        gettext_lazy(
            "L'équipe a examiné le besoin que vous aviez signalé (« %(title)s ») et ne l'a pas retenu pour "
            "le moment."
        ),
    ),
    "needs.need.in_study": (
        gettext_lazy("une étude est ouverte sur le besoin que vous avez signalé"),
        gettext_lazy(
            "Une étude d'opportunité commence sur le besoin que vous aviez signalé (« %(title)s ») : "
            "ateliers, pistes, recherche d'un modèle qui tienne."
        ),
    ),
}


@on_action("needs.need.retained")
@on_action("needs.need.not_retained")
@on_action("needs.need.in_study")
def reporters_need_news(entry: AuditEntry) -> None:
    from fabrique.needs.models import Need

    need = Need.all_objects.select_related("fabrique").filter(pk=entry.target_id).first()
    if need is None:
        return
    subject, text = NEED_MESSAGES[entry.action]
    custom = custom_email_text(
        need.fabrique, entry.action.replace("needs.need.", "need_"), besoin=need.display_public_title
    )
    reason = _decision_reason(entry) if entry.action == "needs.need.not_retained" else ""
    for address, links in _reporters([need]).items():
        _send(
            entry=entry,
            fabrique=need.fabrique,
            to=address,
            subject=str(subject),
            lines=[
                custom or str(text) % {"title": need.display_public_title},
                _("Motif : %(reason)s") % {"reason": reason} if reason else "",
            ],
            links=links,
        )


@on_action("projects.project.enterprise_created")
def reporters_enterprise_created(entry: AuditEntry) -> None:
    from fabrique.projects.models import Project

    project = Project.all_objects.select_related("fabrique").filter(pk=entry.target_id).first()
    if project is None:
        return
    for address, links in _reporters(project.needs.all()).items():
        _send(
            entry=entry,
            fabrique=project.fabrique,
            to=address,
            subject=_("une entreprise est née du besoin que vous avez signalé"),
            lines=[
                custom_email_text(project.fabrique, "enterprise_created", projet=project.title)
                or _("Une activité répond désormais au besoin que vous aviez signalé : « %(project)s ».")
                % {"project": project.title},
                _(
                    "Merci : c'est grâce aux signalements des habitants et des acteurs du territoire que ces "
                    "projets voient le jour."
                ),
            ],
            links=links,
        )


@on_action("recruitment.application.under_review")
def candidate_shortlisted(entry: AuditEntry) -> None:
    from fabrique.recruitment.models import Application

    application = (
        Application.all_objects.select_related("fabrique", "project").filter(pk=entry.target_id).first()
    )
    if application is None or not application.email:
        return
    _send(
        entry=entry,
        fabrique=application.fabrique,
        to=application.email,
        subject=_("votre candidature est retenue pour l'examen"),
        lines=[
            custom_email_text(
                application.fabrique,
                "application_shortlisted",
                nom=f"{application.first_name} {application.last_name}".strip()
                or application.organization_name,
                projet=application.project.title,
            )
            or _(
                "Votre candidature pour « %(project)s » passe à l'étape suivante : l'équipe et le comité de "
                "sélection l'examinent. Vous serez informé·e de la décision."
            )
            % {"project": application.project.title}
        ],
        links=[],
    )


@on_action("recruitment.call.cancelled")
def candidates_call_cancelled(entry: AuditEntry) -> None:
    from fabrique.recruitment.models import Application, Call

    call = Call.all_objects.select_related("fabrique").filter(pk=entry.target_id).first()
    if call is None or (entry.new_values or {}).get("ended_by") == "leader_found":
        return  # the project found its leader: each open application got the "leader found" message
    addresses = {
        a.lower()
        for a in Application.all_objects.filter(call=call).exclude(email="").values_list("email", flat=True)
    }
    for address in sorted(addresses):
        _send(
            entry=entry,
            fabrique=call.fabrique,
            to=address,
            subject=_("l'appel « %(call)s » est annulé") % {"call": call.title},
            lines=[
                custom_email_text(call.fabrique, "call_cancelled", appel=call.title)
                or _(
                    "L'appel à porteurs « %(call)s » auquel vous avez répondu est annulé. Merci de l'intérêt que "
                    "vous lui avez porté ; l'équipe reste joignable pour en parler."
                )
                % {"call": call.title},
                entry.note,
            ],
            links=[],
        )
