"""Base for every back-office view: login, fabrique membership and permission, in one place."""

from collections.abc import Callable

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from fabrique.fabriques.access import access_fabrique, access_object, memberships_of, scoped
from fabrique.fabriques.models import Permission

Lookup = type[Model] | Callable[..., QuerySet]


class FabriqueViewMixin(LoginRequiredMixin):
    """Set `permission` on each view. Provides `self.fabrique`, `self.membership`, `self.scoped_get`,
    `self.url(name, **kwargs)` and, for templates, `can_edit` / `can_decide` / `can_manage`.

    `lookups` maps URL kwargs to a model (or to a function fabrique -> queryset): the object named in
    the URL must belong to the fabrique. It is checked before the role, so another fabrique's object is
    a 404 for every member; a 403 only ever concerns the fabrique's own objects.
    """

    permission: str | None = None
    lookups: dict[str, Lookup] = {}

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.permission is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must declare the permission it requires.")
        self.check_lookups(request.user, kwargs)
        self.membership = access_fabrique(request.user, kwargs["fabrique_slug"], self.permission)
        self.fabrique = self.membership.fabrique
        request.fabrique = self.fabrique
        request.membership = self.membership
        return super().dispatch(request, *args, **kwargs)

    def get_lookups(self) -> dict[str, Lookup]:
        return self.lookups

    def check_lookups(self, user, kwargs) -> None:
        lookups = self.get_lookups()
        if not lookups:
            return
        membership = memberships_of(user).filter(fabrique__slug=kwargs.get("fabrique_slug")).first()
        if membership is None:
            return  # access_fabrique answers 404
        for kwarg, source in lookups.items():
            rows = (
                scoped(source, membership.fabrique)
                if isinstance(source, type)
                else source(membership.fabrique)
            )
            try:
                found = rows.filter(pk=kwargs.get(kwarg)).exists()
            except (ValueError, TypeError):
                found = False
            if not found:
                raise Http404(_("Élément introuvable."))

    def scoped_get(self, model_or_qs, pk):
        return access_object(model_or_qs, fabrique=self.fabrique, pk=pk)

    def url(self, name: str, **kwargs) -> str:
        return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": self.fabrique.slug, **kwargs})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["fabrique"] = self.fabrique
        context["membership"] = self.membership
        context["can_edit"] = self.membership.has_permission(Permission.EDIT)
        context["can_decide"] = self.membership.has_permission(Permission.DECIDE)
        context["can_manage"] = self.membership.has_permission(Permission.MANAGE)
        return context
