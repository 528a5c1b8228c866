"""Back-office pages of the committees: types (settings), committees, meetings, agenda, decisions,
printable agenda and minutes (HTML and PDF).

Thin views on the back-office base (`base.py`): parse with a form, fetch with `scoped_get` (another
fabrique's pk is a 404), call the service, turn its errors into French messages.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView

from fabrique.audit.selectors import audit_timeline
from fabrique.committees.forms import (
    AgendaItemForm,
    CommitteeForm,
    CommitteeTypeForm,
    DecisionForm,
    MeetingForm,
)
from fabrique.committees.models import AgendaItem, Committee, CommitteeType, Meeting, MeetingStatus
from fabrique.committees.selectors import (
    agenda_candidates,
    committee_list,
    committee_meetings,
    committee_types,
    meeting_items,
    resolve_candidate,
    upcoming_meetings,
)
from fabrique.committees.services import (
    agenda_item_add,
    agenda_item_decide,
    agenda_item_remove,
    committee_create,
    committee_type_create,
    committee_type_delete,
    committee_type_update,
    committee_types_setup_defaults,
    committee_update,
    meeting_create,
    meeting_update,
)
from fabrique.core.errors import DomainError
from fabrique.core.exports import Column
from fabrique.core.forms import add_service_errors
from fabrique.core.pdf import css_string, pdf_response
from fabrique.fabriques.models import Permission

from .base import DecisionFormView, ExportMixin, FabriqueViewMixin, ServiceFormView, object_url, reason_label


def committees_of(fabrique):
    return Committee.objects.filter(fabrique=fabrique)


def meetings_of(fabrique):
    return Meeting.objects.filter(fabrique=fabrique)


def agenda_items_of(fabrique):
    return AgendaItem.objects.filter(meeting__fabrique=fabrique, meeting__deleted_at__isnull=True)


COMMITTEE_LOOKUP = {"pk": committees_of}
MEETING_LOOKUP = {"pk": meetings_of}
ITEM_LOOKUP = {"pk": meetings_of, "item_pk": agenda_items_of}


# --- committee types (settings) ------------------------------------------------------------------------------


class CommitteeTypeSettingsView(FabriqueViewMixin, TemplateView):
    """The fabrique's kinds of committee: add, rename, reorder, remove an unused one, restore the defaults."""

    permission = Permission.MANAGE
    template_name = "backoffice/committees/committee_type_settings.html"

    def get_context_data(self, create_form=None, edit_forms=None, **kwargs):
        context = super().get_context_data(**kwargs)
        types = list(committee_types(fabrique=self.fabrique))
        edit_forms = edit_forms or {}
        context["rows"] = [
            (t, edit_forms.get(t.pk) or CommitteeTypeForm(instance=t, prefix=f"type-{t.pk}")) for t in types
        ]
        context["create_form"] = create_form or CommitteeTypeForm(prefix="new")
        return context

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action")
        if action == "defaults":
            created = committee_types_setup_defaults(fabrique=self.fabrique)
            messages.success(
                request,
                ngettext(
                    "%(count)s type de comité par défaut ajouté.",
                    "%(count)s types de comité par défaut ajoutés.",
                    len(created),
                )
                % {"count": len(created)}
                if created
                else _("Les types de comité par défaut existent déjà."),
            )
            return redirect(self.url("committee_type_settings"))
        if action == "create":
            form = CommitteeTypeForm(request.POST, prefix="new")
            if form.is_valid():
                try:
                    committee_type_create(fabrique=self.fabrique, actor=request.user, **form.service_data())
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, _("Type de comité ajouté."))
                    return redirect(self.url("committee_type_settings"))
            return self.render_to_response(self.get_context_data(create_form=form))
        if action in ("update", "delete"):
            committee_type = get_object_or_404(
                CommitteeType, fabrique=self.fabrique, pk=request.POST.get("type") or 0
            )
            if action == "delete":
                try:
                    committee_type_delete(committee_type=committee_type, actor=request.user)
                except DomainError as exc:
                    messages.error(request, exc.message)
                else:
                    messages.success(request, _("Type de comité supprimé."))
                return redirect(self.url("committee_type_settings"))
            form = CommitteeTypeForm(
                request.POST, instance=committee_type, prefix=f"type-{committee_type.pk}"
            )
            if form.is_valid():
                fresh = CommitteeType.objects.get(pk=committee_type.pk)
                try:
                    committee_type_update(committee_type=fresh, actor=request.user, **form.service_data())
                except ValidationError as exc:
                    add_service_errors(form, exc)
                else:
                    messages.success(request, _("Type de comité modifié."))
                    return redirect(self.url("committee_type_settings"))
            return self.render_to_response(self.get_context_data(edit_forms={committee_type.pk: form}))
        messages.error(request, _("Action inconnue : rien n'a été modifié."))
        return self.render_to_response(self.get_context_data(), status=400)


# --- committees ----------------------------------------------------------------------------------------------


WAITING_PER_KIND = 10  # files shown per kind in "waiting for a committee" (the oldest first)


def _waiting(fabrique) -> dict[str, Any]:
    """The context of "waiting for a committee": the oldest files of each kind, and whether some kind
    has more than shown."""
    waiting = agenda_candidates(fabrique=fabrique, include_scheduled=False, per_kind=WAITING_PER_KIND + 1)
    shown: list = []
    per_kind: dict[str, int] = {}
    more = False
    for candidate in waiting:
        per_kind[candidate.kind] = per_kind.get(candidate.kind, 0) + 1
        if per_kind[candidate.kind] > WAITING_PER_KIND:
            more = True
            continue
        candidate.url = object_url(candidate.obj, fabrique)
        shown.append(candidate)
    return {"waiting": shown, "waiting_more": more, "waiting_per_kind": WAITING_PER_KIND}


class CommitteeListView(ExportMixin, FabriqueViewMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "backoffice/committees/committee_list.html"
    export_name = "comites"
    export_columns = (
        Column(gettext_lazy("Nom"), lambda c: c.name, "name"),
        Column(
            gettext_lazy("Type"),
            lambda c: c.committee_type.label if c.committee_type else "",
            "committee_type",
        ),
        Column(gettext_lazy("Étude suivie"), lambda c: str(c.study) if c.study else "", "study"),
        Column(gettext_lazy("Membres"), lambda c: c.member_count, "members"),
        Column(gettext_lazy("Quorum"), lambda c: c.quorum, "quorum"),
        Column(gettext_lazy("Séances"), lambda c: c.meeting_count, "meetings"),
        Column(gettext_lazy("Prochaine séance"), lambda c: c.next_meeting, "next_meeting"),
    )

    def export_rows(self):
        return committee_list(fabrique=self.fabrique)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["committees"] = committee_list(fabrique=self.fabrique)
        context["upcoming"] = upcoming_meetings(fabrique=self.fabrique, limit=10)
        context.update(_waiting(self.fabrique))
        return context


class CommitteeDetailView(FabriqueViewMixin, TemplateView):
    permission = Permission.VIEW
    lookups = COMMITTEE_LOOKUP
    template_name = "backoffice/committees/committee_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        committee = self.scoped_get(
            Committee.objects.select_related("committee_type", "study"), self.kwargs["pk"]
        )
        context.update(
            committee=committee,
            members=committee.members.filter(deleted_at__isnull=True).select_related("organization"),
            meetings=committee_meetings(committee=committee),
            timeline=audit_timeline(target=committee),
        )
        return context


class CommitteeCreateView(ServiceFormView):
    template_name = "backoffice/committees/committee_form.html"
    form_class = CommitteeForm
    success_message = gettext_lazy("Le comité « %(name)s » a été créé.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["no_types"] = not CommitteeType.objects.filter(fabrique=self.fabrique).exists()
        return context

    def perform(self, form):
        return committee_create(fabrique=self.fabrique, actor=self.request.user, **form.service_data())

    def success_url_for(self, obj):
        return self.url("committee_detail", pk=obj.pk)


class CommitteeUpdateView(CommitteeCreateView):
    lookups = COMMITTEE_LOOKUP
    success_message = gettext_lazy("Le comité « %(name)s » a été modifié.")

    def get_object(self) -> Committee:
        if not hasattr(self, "object"):
            self.object = self.scoped_get(Committee, self.kwargs["pk"])
        return self.object

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_object()}

    def perform(self, form):
        committee = self.scoped_get(Committee, self.kwargs["pk"])  # fresh: the form wrote onto self.object
        return committee_update(committee=committee, actor=self.request.user, **form.service_data())

    def get_context_data(self, **kwargs):
        return super().get_context_data(committee=self.get_object(), **kwargs)


# --- meetings ------------------------------------------------------------------------------------------------


class MeetingCreateView(ServiceFormView):
    lookups = COMMITTEE_LOOKUP
    template_name = "backoffice/committees/meeting_form.html"
    form_class = MeetingForm
    success_message = gettext_lazy("La séance « %(name)s » a été planifiée.")

    def get_committee(self) -> Committee:
        if not hasattr(self, "committee"):
            self.committee = self.scoped_get(Committee, self.kwargs["pk"])
        return self.committee

    def get_initial(self):
        committee = self.get_committee()
        return {
            "attendees": list(
                committee.members.filter(deleted_at__isnull=True).select_related("organization")
            )
        }

    def perform(self, form):
        return meeting_create(committee=self.get_committee(), actor=self.request.user, **form.service_data())

    def success_url_for(self, obj):
        return self.url("meeting_detail", pk=obj.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(committee=self.get_committee(), **kwargs)


class MeetingUpdateView(ServiceFormView):
    lookups = MEETING_LOOKUP
    template_name = "backoffice/committees/meeting_form.html"
    form_class = MeetingForm
    success_message = gettext_lazy("La séance « %(name)s » a été modifiée.")

    def get_object(self) -> Meeting:
        if not hasattr(self, "object"):
            self.object = self.scoped_get(Meeting.objects.select_related("committee"), self.kwargs["pk"])
        return self.object

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_object()}

    def perform(self, form):
        meeting = self.scoped_get(Meeting, self.kwargs["pk"])
        return meeting_update(meeting=meeting, actor=self.request.user, **form.service_data())

    def success_url_for(self, obj):
        return self.url("meeting_detail", pk=obj.pk)

    def get_context_data(self, **kwargs):
        meeting = self.get_object()
        return super().get_context_data(meeting=meeting, committee=meeting.committee, **kwargs)


class MeetingMixin(FabriqueViewMixin):
    lookups = MEETING_LOOKUP

    def get_meeting(self) -> Meeting:
        if not hasattr(self, "meeting"):
            self.meeting = self.scoped_get(
                Meeting.objects.select_related("committee", "committee__committee_type"), self.kwargs["pk"]
            )
        return self.meeting

    def meeting_context(self) -> dict:
        meeting = self.get_meeting()
        items = meeting_items(meeting=meeting)
        for item in items:
            item.target_url = object_url(item.target, self.fabrique) if item.target_alive else ""
            if item.decision_row is not None:
                item.decision_row.reason_label = reason_label(item.decision_row, item.target)
        attendees = list(meeting.attendees.select_related("organization"))
        attendee_pks = {p.pk for p in attendees}
        members = list(
            meeting.committee.members.filter(deleted_at__isnull=True).select_related("organization")
        )
        return {
            "meeting": meeting,
            "committee": meeting.committee,
            "items": items,
            "attendees": attendees,
            "members": members,
            "absent_members": [m for m in members if m.pk not in attendee_pks],
            "decided_count": sum(1 for i in items if i.decision_row is not None),
        }


class MeetingDetailView(MeetingMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "backoffice/committees/meeting_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.meeting_context())
        meeting = context["meeting"]
        context["timeline"] = audit_timeline(target=meeting)
        context["is_open"] = meeting.status != MeetingStatus.CANCELLED
        if context["can_edit"] and context["is_open"]:
            context["item_form"] = kwargs.get("item_form") or AgendaItemForm(fabrique=self.fabrique)
        context.update(_waiting(self.fabrique))
        return context


class AgendaItemAddView(MeetingMixin, ServiceFormView):
    """Add an item; the form also sits on the meeting page, this page shows it alone (and its errors)."""

    template_name = "backoffice/committees/agenda_item_form.html"
    form_class = AgendaItemForm

    def get_initial(self):
        return {"target": self.request.GET.get("target", "")}

    def get_context_data(self, **kwargs):
        meeting = self.get_meeting()
        return super().get_context_data(meeting=meeting, committee=meeting.committee, **kwargs)

    def perform(self, form):
        target = None
        key = form.cleaned_data.get("target")
        if key:
            target = resolve_candidate(fabrique=self.fabrique, key=key)
            if target is None:
                raise ValidationError(
                    {"target": _("Ce dossier n'existe pas ou n'appartient pas à la fabrique.")}
                )
        return agenda_item_add(
            meeting=self.get_meeting(),
            actor=self.request.user,
            target=target,
            title=form.cleaned_data["title"],
            presenter=form.cleaned_data["presenter"],
            notes=form.cleaned_data["notes"],
        )

    def get_success_message(self, item) -> str:
        return _("« %(item)s » a été inscrit à l'ordre du jour.") % {"item": item}

    def success_url_for(self, item) -> str:
        return self.url("meeting_detail", pk=self.get_meeting().pk) + "#ordre-du-jour"


class AgendaItemMixin(MeetingMixin):
    lookups = ITEM_LOOKUP

    def get_item(self) -> AgendaItem:
        if not hasattr(self, "item"):
            meeting = self.get_meeting()
            try:
                self.item = meeting.items.get(pk=self.kwargs["item_pk"])
            except AgendaItem.DoesNotExist as exc:
                raise Http404(_("Élément introuvable.")) from exc
        return self.item


class AgendaItemRemoveView(AgendaItemMixin, TemplateView):
    permission = Permission.EDIT
    template_name = "backoffice/committees/agenda_item_confirm_remove.html"

    def get_context_data(self, **kwargs):
        meeting = self.get_meeting()
        return super().get_context_data(meeting=meeting, item=self.get_item(), **kwargs)

    def post(self, request, *args, **kwargs):
        item = self.get_item()
        try:
            agenda_item_remove(item=item, actor=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("« %(item)s » a été retiré de l'ordre du jour.") % {"item": item.title}
            )
        return redirect(self.url("meeting_detail", pk=self.get_meeting().pk) + "#ordre-du-jour")


class AgendaItemDecideView(AgendaItemMixin, DecisionFormView):
    """The committee's decision on one agenda item (votes optional: totals, or each member's vote
    with the conflicts of interest)."""

    permission = Permission.DECIDE
    form_class = DecisionForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "meeting": self.get_meeting()}

    def decision_target(self):
        target = self.get_item().target
        return None if target is None or getattr(target, "is_deleted", False) else target

    def get_context_data(self, **kwargs):
        meeting = self.get_meeting()
        item = self.get_item()
        decided = AgendaItem.objects.filter(pk=item.pk, decision__isnull=False).exists()
        return super().get_context_data(
            meeting=meeting, committee=meeting.committee, item=item, already_decided=decided, **kwargs
        )

    def perform(self, form):
        return agenda_item_decide(item=self.get_item(), actor=self.request.user, **form.service_data())

    def done_url(self) -> str:
        return self.url("meeting_detail", pk=self.get_meeting().pk) + "#ordre-du-jour"


# --- printable agenda and minutes ----------------------------------------------------------------------------


class MeetingPrintView(MeetingMixin, TemplateView):
    permission = Permission.VIEW
    document = "agenda"  # or "minutes"
    as_pdf = False

    def get_template_names(self):
        return [f"backoffice/committees/meeting_{self.document}_print.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.meeting_context())
        meeting = self.get_meeting()
        kind = _("Ordre du jour") if self.document == "agenda" else _("Compte rendu")
        context["doc_kind"] = kind
        context["running_title"] = css_string(
            f"{self.fabrique.name} — {kind} — {meeting.committee.name} — "
            f"{date_format(timezone.localtime(meeting.date), 'j F Y')}"
        )
        context["printed_at"] = timezone.now()
        context["pdf_url"] = self.url(f"meeting_{self.document}_pdf", pk=self.get_meeting().pk)
        context["back_url"] = self.url("meeting_detail", pk=self.get_meeting().pk)
        return context

    def get(self, request, *args, **kwargs):
        if not self.as_pdf:
            return super().get(request, *args, **kwargs)
        meeting = self.get_meeting()
        stem = _("ordre-du-jour") if self.document == "agenda" else _("compte-rendu")
        filename = f"{slugify(stem)}-{slugify(meeting.committee.name)[:40]}-{timezone.localtime(meeting.date):%Y-%m-%d}.pdf"
        return pdf_response(
            template=self.get_template_names()[0],
            context=self.get_context_data(**kwargs),
            filename=filename,
            request=request,
        )


# --- URLs ----------------------------------------------------------------------------------------------------

urlpatterns = [
    path("comites/", CommitteeListView.as_view(), name="committee_list"),
    path("comites/nouveau/", CommitteeCreateView.as_view(), name="committee_create"),
    path("comites/types/", CommitteeTypeSettingsView.as_view(), name="committee_type_settings"),
    path("comites/<int:pk>/", CommitteeDetailView.as_view(), name="committee_detail"),
    path("comites/<int:pk>/modifier/", CommitteeUpdateView.as_view(), name="committee_update"),
    path("comites/<int:pk>/seances/nouvelle/", MeetingCreateView.as_view(), name="meeting_create"),
    path("comites/seances/<int:pk>/", MeetingDetailView.as_view(), name="meeting_detail"),
    path("comites/seances/<int:pk>/modifier/", MeetingUpdateView.as_view(), name="meeting_update"),
    path(
        "comites/seances/<int:pk>/ordre-du-jour/ajouter/", AgendaItemAddView.as_view(), name="agenda_item_add"
    ),
    path(
        "comites/seances/<int:pk>/ordre-du-jour/<int:item_pk>/retirer/",
        AgendaItemRemoveView.as_view(),
        name="agenda_item_remove",
    ),
    path(
        "comites/seances/<int:pk>/ordre-du-jour/<int:item_pk>/decision/",
        AgendaItemDecideView.as_view(),
        name="agenda_item_decide",
    ),
    path(
        "comites/seances/<int:pk>/ordre-du-jour/imprimer/",
        MeetingPrintView.as_view(document="agenda"),
        name="meeting_agenda_print",
    ),
    path(
        "comites/seances/<int:pk>/ordre-du-jour.pdf",
        MeetingPrintView.as_view(document="agenda", as_pdf=True),
        name="meeting_agenda_pdf",
    ),
    path(
        "comites/seances/<int:pk>/compte-rendu/imprimer/",
        MeetingPrintView.as_view(document="minutes"),
        name="meeting_minutes_print",
    ),
    path(
        "comites/seances/<int:pk>/compte-rendu.pdf",
        MeetingPrintView.as_view(document="minutes", as_pdf=True),
        name="meeting_minutes_pdf",
    ),
]
