"""Notifications centre, preferences, follows, "mes tâches", and the failed tasks page (admins)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView

from fabrique.core.errors import DomainError
from fabrique.core.taskadmin import failed_tasks, task_relaunch
from fabrique.fabriques.access import access_object
from fabrique.fabriques.models import Permission
from fabrique.notifications.kinds import KINDS, Mode
from fabrique.notifications.selectors import (
    FOLLOWABLE,
    is_following,
    my_tasks,
    notifications_of,
    object_path,
    preferences_of,
)
from fabrique.notifications.services import (
    follow_set,
    notifications_mark_read,
    preferences_set,
)

from .base import FabriqueViewMixin


class NotificationListView(FabriqueViewMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "backoffice/notifications/list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        rows = notifications_of(user=self.user, fabrique=self.fabrique)
        if self.request.GET.get("non-lues"):
            rows = rows.filter(read_at__isnull=True)
        context["page"] = Paginator(rows, 30).get_page(self.request.GET.get("page"))
        context["only_unread"] = bool(self.request.GET.get("non-lues"))
        return context


class NotificationMarkReadView(NotificationListView):
    """GET shows the list; POST marks the notifications named in `ids` (all when none) as read."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()] or None
        count = notifications_mark_read(user=self.user, fabrique=self.fabrique, ids=ids)
        messages.success(
            request,
            ngettext(
                "%(count)s notification marquée comme lue.",
                "%(count)s notifications marquées comme lues.",
                count,
            )
            % {"count": count},
        )
        return redirect(self.url("notification_list"))


class PreferencesForm(forms.Form):
    def __init__(self, *args: Any, initial_modes: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, kind in KINDS.items():
            self.fields[code] = forms.ChoiceField(
                label=kind.label,
                choices=Mode.choices,
                initial=initial_modes.get(code),
                widget=forms.RadioSelect,
            )


class NotificationPreferencesView(FabriqueViewMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "backoffice/notifications/preferences.html"

    def get_form(self, data: Any = None) -> PreferencesForm:
        modes = preferences_of(user=self.user, fabrique=self.fabrique, role=self.membership.role)
        return PreferencesForm(data, initial_modes=modes)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context.setdefault("form", self.get_form())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.get_form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        preferences_set(user=self.user, fabrique=self.fabrique, modes=form.cleaned_data)
        messages.success(request, _("Vos préférences de notification sont enregistrées."))
        return redirect(self.url("notification_preferences"))


class MyTasksView(FabriqueViewMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "backoffice/notifications/my_tasks.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["tasks"] = my_tasks(user=self.user, fabrique=self.fabrique)
        return context


class FollowView(FabriqueViewMixin, TemplateView):
    """GET asks; POST follow=1 to follow, follow=0 to stop; back to `next` (the object's page)."""

    permission = Permission.VIEW
    template_name = "backoffice/notifications/follow.html"

    def get_target(self) -> Model:
        label = self.kwargs["model"]
        if label not in FOLLOWABLE:
            raise Http404(_("Élément introuvable."))
        model = ContentType.objects.get_by_natural_key(*label.split(".")).model_class()
        if model is None:
            raise Http404(_("Élément introuvable."))
        return access_object(model, fabrique=self.fabrique, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["target"] = target = self.get_target()
        context["following"] = is_following(user=self.user, target=target)
        context["target_url"] = object_path(target, self.fabrique)
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        target = self.get_target()
        follow = request.POST.get("follow", "1") == "1"
        try:
            follow_set(user=self.user, target=target, follow=follow)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Vous suivez « %(target)s ».") % {"target": target}
                if follow
                else _("Vous ne suivez plus « %(target)s ».") % {"target": target},
            )
        back = request.POST.get("next", "")
        if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            return redirect(back)
        return redirect(self.url("notification_list"))


class FailedTasksView(FabriqueViewMixin, TemplateView):
    """Tasks of this fabrique that failed for good (after their retries), with their error."""

    permission = Permission.MANAGE
    template_name = "backoffice/notifications/failed_tasks.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["tasks"] = failed_tasks(fabrique=self.fabrique)[:100]
        return context


class TaskRelaunchView(FabriqueViewMixin, TemplateView):
    """GET shows the task and its error; POST enqueues it again."""

    permission = Permission.MANAGE
    template_name = "backoffice/notifications/task_relaunch.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["task"] = failed_tasks(fabrique=self.fabrique).filter(pk=self.kwargs["task_id"]).first()
        if context["task"] is None:
            raise Http404(_("Élément introuvable."))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            task_relaunch(fabrique=self.fabrique, task_id=str(kwargs["task_id"]), actor=self.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("La tâche est relancée."))
        return redirect(self.url("failed_tasks"))


urlpatterns = [
    path("notifications/", NotificationListView.as_view(), name="notification_list"),
    path("notifications/tout-lu/", NotificationMarkReadView.as_view(), name="notification_mark_read"),
    path(
        "notifications/preferences/", NotificationPreferencesView.as_view(), name="notification_preferences"
    ),
    path("mes-taches/", MyTasksView.as_view(), name="my_tasks"),
    path("suivre/<str:model>/<int:pk>/", FollowView.as_view(), name="follow"),
    path("parametres/taches/", FailedTasksView.as_view(), name="failed_tasks"),
    path("parametres/taches/<uuid:task_id>/relancer/", TaskRelaunchView.as_view(), name="task_relaunch"),
]
