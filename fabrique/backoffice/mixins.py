"""Base for every back-office view: login, fabrique membership and permission, in one place."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured

from fabrique.fabriques.access import access_fabrique, access_object


class FabriqueViewMixin(LoginRequiredMixin):
    """Set `permission` on each view. Provides `self.fabrique`, `self.membership`, `self.get_object_or_404`."""

    permission: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.permission is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must declare the permission it requires.")
        self.membership = access_fabrique(request.user, kwargs["fabrique_slug"], self.permission)
        self.fabrique = self.membership.fabrique
        request.fabrique = self.fabrique
        request.membership = self.membership
        return super().dispatch(request, *args, **kwargs)

    def scoped_get(self, model_or_qs, pk):
        return access_object(model_or_qs, fabrique=self.fabrique, pk=pk)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["fabrique"] = self.fabrique
        context["membership"] = self.membership
        return context
