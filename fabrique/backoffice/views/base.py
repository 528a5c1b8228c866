"""The one base of every back-office view. View modules import their bases from here, never from a
sibling view module.

- `FabriqueViewMixin`: login, fabrique membership and permission, the objects named in the URL
  (`lookups`), `scoped_get`, `url()`, and the role flags the templates need.
- `ServiceFormView`: GET shows the form; POST hands the valid form to a service (`perform(form)`),
  turns its `ValidationError` / `DomainError` into French form errors, then redirects.
- `FilteredListView`: a paginated list from a selector, its django-filter form, and the
  exports of the filtered rows (`?export=csv|xlsx|json` when `export_columns` is set, `ExportMixin`).
- `ObjectDetailView`: one object of the fabrique with its audit timeline.
- `DecisionFormView`: the decision form on one target (committee or staff decision).
- `ConfirmView`: a confirmation page whose POST runs one service (delete, remove).

A URL that does not reverse is a bug: `url()` and `object_url()` raise `NoReverseMatch` instead of
hiding the link.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, TemplateView

from fabrique.accounts import otp
from fabrique.audit.selectors import audit_timeline
from fabrique.committees import registry
from fabrique.core.errors import DomainError
from fabrique.core.exports import (
    CONTENT_TYPES,
    EXPORT_FORMATS,
    Column,
    columns_of,
    csv_writer,
    stream_csv,
    stream_json,
    write_xlsx,
)
from fabrique.core.forms import add_service_errors
from fabrique.core.http import authenticated_user
from fabrique.fabriques.access import (
    access_fabrique,
    access_object,
    request_memberships,
    scoped,
)
from fabrique.fabriques.models import Fabrique, Membership, Permission, Role

if TYPE_CHECKING:
    from django.views.generic.base import ContextMixin

    from fabrique.accounts.models import User

    _Base = ContextMixin
else:
    _Base = object

# A model (its rows of the fabrique), or a function fabrique -> the queryset of rows it may name.
Lookup = type[Model] | Callable[[Fabrique], QuerySet[Any]]

PAGE_SIZE = 25


def object_url(obj: Model | None, fabrique: Fabrique) -> str:
    """The back-office page of a pipeline object (`backoffice:<model>_detail`); "" only for no object."""
    if obj is None:
        return ""
    return reverse(
        f"backoffice:{obj._meta.model_name}_detail", kwargs={"fabrique_slug": fabrique.slug, "pk": obj.pk}
    )


def reason_label(decision: Any, target: Model | None = None) -> str:
    """The French label of a decision's reason code (the code itself when the outcome is unknown)."""
    if not decision.reason_code:
        return ""
    option = registry.outcome(target, decision.outcome) if target is not None else None
    if option is None:
        return str(decision.reason_code)
    return str(dict(option.reason_choices).get(decision.reason_code, decision.reason_code))


class FabriqueViewMixin(LoginRequiredMixin, _Base):
    """Set `permission` on each view. Provides `self.fabrique`, `self.membership`, `self.scoped_get`,
    `self.url(name, **kwargs)` and, for templates, `can_edit` / `can_decide` / `can_manage`.

    `lookups` maps URL kwargs to a model (or to a function fabrique -> queryset): the object named in
    the URL must belong to the fabrique. It is checked before the role, so another fabrique's object is
    a 404 for every member; a 403 only ever concerns the fabrique's own objects.
    """

    permission: str | None = None
    lookups: dict[str, Lookup] = {}
    fabrique: Fabrique
    membership: Any
    request: HttpRequest

    @property
    def user(self) -> User:
        """The logged-in member (dispatch() lets no one else through), typed for the services' `actor`."""
        return authenticated_user(self.request)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.permission is None:
            raise ImproperlyConfigured(f"{type(self).__name__} must declare the permission it requires.")
        memberships = request_memberships(request)
        self.check_lookups(kwargs, memberships)
        self.membership = access_fabrique(
            request.user, kwargs["fabrique_slug"], self.permission, memberships=memberships
        )
        self.fabrique = self.membership.fabrique
        request.fabrique = self.fabrique  # type: ignore[attr-defined]
        request.membership = self.membership  # type: ignore[attr-defined]
        if (
            self.fabrique.admins_require_otp
            and self.membership.role == Role.ADMIN
            and not otp.is_verified(request.user)
        ):
            return otp.second_factor_redirect(request)  # enrol, or give the code of this session
        return super().dispatch(request, *args, **kwargs)

    def check_lookups(self, kwargs: dict[str, Any], memberships: list[Membership]) -> None:
        """404 when a URL's object is not the fabrique's (`memberships`: the user's, read once)."""
        if not self.lookups:
            return
        slug = kwargs.get("fabrique_slug")
        membership = next((m for m in memberships if m.fabrique.slug == slug), None)
        if membership is None:
            return  # access_fabrique answers 404
        for kwarg, source in self.lookups.items():
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

    def scoped_get(self, model_or_qs: Any, pk: Any) -> Any:
        return access_object(model_or_qs, fabrique=self.fabrique, pk=pk)

    def url(self, name: str, **kwargs: Any) -> str:
        return reverse(f"backoffice:{name}", kwargs={"fabrique_slug": self.fabrique.slug, **kwargs})

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["fabrique"] = self.fabrique
        context["membership"] = self.membership
        context["can_edit"] = self.membership.has_permission(Permission.EDIT)
        context["can_decide"] = self.membership.has_permission(Permission.DECIDE)
        context["can_manage"] = self.membership.has_permission(Permission.MANAGE)
        return context


class ServiceFormView(FabriqueViewMixin, FormView[Any]):
    """A form handed to a service. Subclasses implement `perform(form)` (returns the object or raises)
    and `success_url_for(obj)`; the service's refusal is shown in French on the form, nothing is saved.

    `form_fabrique`: pass the fabrique to the form (most forms scope their choices with it).
    `success_message` is formatted with `{"name": obj}`; override `get_success_message(obj)` otherwise.
    """

    permission = Permission.EDIT
    success_message: str | Promise = ""
    form_fabrique = True

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        if self.form_fabrique:
            kwargs["fabrique"] = self.fabrique
        return kwargs

    def form_valid(self, form: Any) -> HttpResponse:
        try:
            obj = self.perform(form)
        except ValidationError as exc:
            self.service_errors(form, exc)
            return self.form_invalid(form)
        except DomainError as exc:
            self.domain_error(form, exc)
            return self.form_invalid(form)
        message = self.get_success_message(obj)
        if message:
            messages.success(self.request, message)
        return redirect(self.success_url_for(obj))

    def service_errors(self, form: Any, exc: ValidationError) -> None:
        """The service's field-keyed errors on the form's fields (the others on top of the form)."""
        add_service_errors(form, exc)

    def domain_error(self, form: Any, exc: DomainError) -> None:
        form.add_error(None, exc.message)

    def get_success_message(self, obj: Any) -> str:
        return str(self.success_message) % {"name": obj} if self.success_message else ""

    def perform(self, form: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def success_url_for(self, obj: Any) -> str:  # pragma: no cover - abstract
        raise NotImplementedError


class ConfirmView(FabriqueViewMixin, TemplateView):
    """A confirmation page for an action that asks for nothing (delete, remove): GET shows the question
    (a template on `backoffice/includes/confirm.html`), POST runs `perform()` — the service call,
    returning the French message of success — and redirects to `done_url()`."""

    permission = Permission.EDIT

    def perform(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def done_url(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        messages.success(request, self.perform())
        return redirect(self.done_url())


def csv_response(*, filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """A CSV for a spreadsheet: UTF-8 with BOM and semicolons, so that it opens in French Excel."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv_writer(response, delimiter=";")  # typed text never becomes a live formula
    writer.writerow([str(h) for h in header])
    writer.writerows(rows)
    return response


class ExportMixin(_Base):
    """`?export=csv|xlsx|json` answers the list's rows with the current filters (every page), streamed:
    rows come from `export_rows()` (a queryset is read with `iterator()`), columns from
    `export_columns` ([Column(header, row -> value, key)] or (header, function) pairs). Memory does not
    grow with the number of rows. The columns of each list are documented in docs/exports.md.

    Put it before the view's base class; the template shows the links with
    `{% include "backoffice/includes/export_links.html" %}`.
    """

    export_columns: Sequence[Column | tuple[Any, Callable[[Any], Any]]] = ()
    export_name = "export"
    request: HttpRequest
    fabrique: Fabrique

    def export_rows(self) -> Iterable[Any]:
        return self.get_queryset()  # type: ignore[attr-defined,no-any-return]

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        fmt = request.GET.get("export")
        if fmt is not None and self.export_columns:
            if fmt not in EXPORT_FORMATS:
                return HttpResponseBadRequest(_("Format d'export inconnu : csv, xlsx ou json."))
            return self.export_response(fmt)
        return super().get(request, *args, **kwargs)  # type: ignore[misc,no-any-return]

    def export_response(self, fmt: str) -> HttpResponseBase:
        columns = columns_of(self.export_columns)
        rows = self.export_rows()
        if isinstance(rows, QuerySet):
            rows = rows.iterator(chunk_size=2000)
        filename = f"{self.export_name}-{self.fabrique.slug}-{timezone.localdate().isoformat()}.{fmt}"
        response: HttpResponseBase
        if fmt == "xlsx":
            handle = write_xlsx(columns, rows, title=self.export_name)
            response = FileResponse(handle, content_type=CONTENT_TYPES[fmt])
        else:
            stream = stream_csv(columns, rows) if fmt == "csv" else stream_json(columns, rows)
            response = StreamingHttpResponse(stream, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.export_columns:
            params = self.request.GET.copy()
            params.pop("page", None)
            links = []
            for fmt in EXPORT_FORMATS:
                params["export"] = fmt
                links.append({"format": fmt.upper(), "url": "?" + params.urlencode()})
            context["export_links"] = links
        return context


class DeferredJoinPaginator(Paginator[Any]):
    """Pages of a queryset read in two steps: the page's primary keys first (in the list's order, from
    its sort index alone: no join, no wide row sorted), then those rows with their joins. A deep page
    of a large list no longer sorts every row of the fabrique with its joined columns (the people
    list's page 300 sorted 15,000 wide rows on disk). One more query, whatever the data size."""

    def page(self, number: int | str) -> Page[Any]:
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(rows.values_list("pk", flat=True)[bottom:top])
        by_id = {obj.pk: obj for obj in rows.order_by().filter(pk__in=ids)}
        return Page([by_id[pk] for pk in ids if pk in by_id], number, self)


class FilteredListView(ExportMixin, FabriqueViewMixin, ListView[Any]):  # type: ignore[misc]
    """A paginated list whose rows come from a selector (`get_queryset`) and whose filter form is a
    FilterSet's form (`filterset_class`, built with the fabrique).

    Exports (`ExportMixin`): set `export_columns` and `?export=csv|xlsx|json` answers the filtered
    rows (all pages).
    """

    permission = Permission.VIEW
    paginate_by = PAGE_SIZE
    filterset_class: type | None = None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        if self.filterset_class is not None:
            context["filter_form"] = self.filterset_class(
                self.request.GET or None, fabrique=self.fabrique
            ).form
        context["filtered"] = any(v for k, v in self.request.GET.items() if k != "page")
        context["total"] = context["paginator"].count if context.get("paginator") else len(self.object_list)
        return context


class ObjectDetailView(FabriqueViewMixin, DetailView[Any]):
    """One object of the fabrique (`get_queryset()` narrows and joins) with its audit timeline."""

    permission = Permission.VIEW

    def get_object(self, queryset: QuerySet[Any] | None = None) -> Any:
        return self.scoped_get(queryset if queryset is not None else self.get_queryset(), self.kwargs["pk"])

    def get_timeline(self, obj: Any) -> Any:
        return audit_timeline(target=obj)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["timeline"] = self.get_timeline(self.object)
        return context


class DecisionFormView(ServiceFormView):
    """The decision form page for one target: `decision_target()`, `perform(form)` records the
    decision (committee or staff) and returns it, `done_url()`."""

    template_name = "backoffice/committees/decision_form.html"
    with_votes = True
    form_fabrique = False

    def decision_target(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def done_url(self) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "target": self.decision_target(), "with_votes": self.with_votes}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        target = self.decision_target()
        context.update(
            target=target,
            target_url=object_url(target, self.fabrique),
            options=registry.outcomes_for(target) if target is not None else [],
            cancel_url=self.done_url(),
        )
        return context

    def get_success_message(self, decision: Any) -> str:
        return _("Décision enregistrée : %(outcome)s — %(target)s.") % {
            "outcome": decision.outcome_label,
            "target": decision.target_repr,
        }

    def success_url_for(self, decision: Any) -> str:
        return self.done_url()
