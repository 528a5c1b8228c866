"""Back-office pages of the spreadsheet imports (organisations, people, need reports): upload, column
mapping, preview (the dry run), apply and undo. The work is done by `fabrique.imports.services`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from fabrique.audit.selectors import audit_timeline
from fabrique.core.errors import DomainError
from fabrique.core.forms import add_service_errors
from fabrique.fabriques.models import Permission
from fabrique.imports.forms import MappingForm, UploadForm
from fabrique.imports.models import ImportBatch, ImportKind, ImportStatus
from fabrique.imports.schema import SCHEMAS
from fabrique.imports.services import import_apply, import_check, import_map, import_undo, import_upload

from .base import PAGE_SIZE, FabriqueViewMixin

# the list URL of what each kind creates (the links after an import)
CREATED_LIST = {
    ImportKind.ORGANIZATIONS: "organization_list",
    ImportKind.PEOPLE: "person_list",
    ImportKind.REPORTS: "report_list",
}


class BatchMixin(FabriqueViewMixin):
    lookups = {"pk": ImportBatch}

    def get_batch(self) -> ImportBatch:
        if not hasattr(self, "_batch"):
            kwargs: dict[str, Any] = self.kwargs  # type: ignore[attr-defined]
            self._batch: ImportBatch = self.scoped_get(
                ImportBatch.objects.select_related("created_by"), kwargs["pk"]
            )
        return self._batch


class ImportListView(FabriqueViewMixin, TemplateView):
    """The fabrique's imports (paginated) and the upload form."""

    permission = Permission.EDIT
    template_name = "backoffice/imports/import_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        kwargs.setdefault(
            "form", UploadForm(fabrique=self.fabrique, initial={"kind": self.request.GET.get("type", "")})
        )
        batches = (
            ImportBatch.objects.filter(fabrique=self.fabrique)
            .select_related("created_by")
            .defer("rows", "header")
            .order_by("-created_at", "-pk")
        )
        page = Paginator(batches, PAGE_SIZE).get_page(self.request.GET.get("page"))
        kwargs.update(page_obj=page, batches=page.object_list, schemas=SCHEMAS)
        return super().get_context_data(**kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES, fabrique=self.fabrique)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = import_upload(
                    fabrique=self.fabrique,
                    actor=self.user,
                    kind=form.cleaned_data["kind"],
                    filename=upload.name or "fichier",
                    data=upload.read(),
                    preset=form.cleaned_data.get("preset"),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                messages.success(
                    request,
                    _("Fichier lu : %(n)s lignes. Vérifiez la correspondance des colonnes.")
                    % {"n": batch.row_count},
                )
                return redirect(self.url("import_mapping", pk=batch.pk))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ImportMappingView(BatchMixin, TemplateView):
    """Which column fills which field; POST stores the mapping (and a preset) and opens the preview."""

    permission = Permission.EDIT
    template_name = "backoffice/imports/import_mapping.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        batch = self.get_batch()
        if batch.status != ImportStatus.DRAFT:
            return redirect(self.url("import_detail", pk=batch.pk))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        batch = self.get_batch()
        kwargs.setdefault("form", MappingForm(batch=batch))
        kwargs.update(batch=batch, sample=batch.rows[:5], header=batch.header)
        return super().get_context_data(**kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        batch = self.get_batch()
        form = MappingForm(request.POST, batch=batch)
        if form.is_valid():
            data = form.service_data()
            try:
                import_map(batch=batch, actor=self.user, **data)
            except ValidationError as exc:
                for key, errors in exc.message_dict.items():
                    name = f"col_{key}"
                    form.add_error(
                        name if name in form.fields else ("preset_name" if key == "preset_name" else None),
                        errors,
                    )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                if data["preset_name"]:
                    messages.success(
                        request, _("Modèle « %(name)s » enregistré.") % {"name": data["preset_name"]}
                    )
                return redirect(self.url("import_detail", pk=batch.pk))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ImportDetailView(BatchMixin, TemplateView):
    """A draft: the preview of every row (the dry run: errors line by line, duplicates), and the
    button that applies it. An applied or undone import: what it did, and the undo button."""

    permission = Permission.EDIT
    template_name = "backoffice/imports/import_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        batch = self.get_batch()
        check = import_check(batch=batch) if batch.status == ImportStatus.DRAFT else None
        schema = SCHEMAS[batch.kind]
        mapped = [
            (schema.target(key), batch.header[index])
            for key, index in batch.mapping.items()
            if index is not None and key in schema.keys and index < len(batch.header)
        ]
        defaults = [
            (schema.target(key), dict(schema.target(key).choice_pairs).get(value, value))
            for key, value in batch.defaults.items()
            if key in schema.keys
        ]
        kwargs.update(
            batch=batch,
            check=check,
            mapped=mapped,
            defaults=defaults,
            created_list_url=self.url(CREATED_LIST[ImportKind(batch.kind)]),
            timeline=audit_timeline(target=batch),
        )
        return super().get_context_data(**kwargs)


class ImportApplyView(ImportDetailView):
    """POST applies the batch; GET shows the same page as the batch's (its button posts here)."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        batch = self.get_batch()
        try:
            batch = import_apply(batch=batch, actor=self.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Import appliqué : %(n)s éléments créés, %(skipped)s lignes ignorées.")
                % {"n": batch.created_count, "skipped": len(batch.skipped_lines)},
            )
        return redirect(self.url("import_detail", pk=batch.pk))


class ImportUndoView(ImportDetailView):
    """POST undoes the batch; GET shows the batch's page."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        batch = self.get_batch()
        try:
            batch = import_undo(batch=batch, actor=self.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Import annulé : les éléments qu'il avait créés sont supprimés."))
        return redirect(self.url("import_detail", pk=batch.pk))


urlpatterns = [
    path("imports/", ImportListView.as_view(), name="import_list"),
    path("imports/<int:pk>/", ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/colonnes/", ImportMappingView.as_view(), name="import_mapping"),
    path("imports/<int:pk>/appliquer/", ImportApplyView.as_view(), name="import_apply"),
    path("imports/<int:pk>/annuler/", ImportUndoView.as_view(), name="import_undo"),
]
