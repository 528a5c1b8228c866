"""Back-office pages of territorial intelligence: indicators and their import, the map, territorial
diagnoses, the priority ranking and the context of a need.

Reference indicators are shared by every fabrique (readable by any member); imported indicators,
import batches, diagnosis zones and weights belong to one fabrique and are fetched through the access
layer (404 for another fabrique's).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.gzip import gzip_page
from django.views.generic import TemplateView

from fabrique.audit.selectors import audit_timeline
from fabrique.core.errors import DomainError
from fabrique.core.forms import add_service_errors
from fabrique.fabriques.models import Permission
from fabrique.intelligence.diagnosis import diagnosis_build
from fabrique.intelligence.forms import (
    SCOPE_STAGES,
    DiagnosisZoneForm,
    MapFilterForm,
    MappingForm,
    PriorityFilterForm,
    PriorityWeightsForm,
    UploadForm,
)
from fabrique.intelligence.importer import import_plan
from fabrique.intelligence.insights import insights_ensure, ranked_needs, ranked_row
from fabrique.intelligence.mapdata import MAX_POINTS, MapFilters, map_layers
from fabrique.intelligence.models import (
    FRANCE_CODE,
    BackgroundState,
    DiagnosisZone,
    ImportBatch,
    ImportStage,
    Indicator,
    IndicatorValue,
    Level,
)
from fabrique.intelligence.pdf import diagnosis_pdf
from fabrique.intelligence.priorities import COMPONENT_LABELS, weights_of
from fabrique.intelligence.selectors import format_value, need_context
from fabrique.intelligence.services import (
    ImportInvalid,
    diagnosis_zone_create,
    diagnosis_zone_update,
    import_batch_cancel,
    import_batch_is_large,
    import_batch_map,
    import_batch_queue,
    import_batch_remap,
    import_batch_run,
    import_batch_table,
    import_batch_upload,
    indicator_delete,
    priority_weights_set,
)
from fabrique.intelligence.tabular import PREVIEW_ROWS, FileReadError, cell_text
from fabrique.needs.models import Need
from fabrique.workstreams.models import Workstream

from .base import DeferredJoinPaginator, FabriqueViewMixin


def _visible_indicator(fabrique, pk) -> Indicator:
    try:
        return Indicator.objects.visible_to(fabrique).get(pk=pk)
    except (Indicator.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Indicateur introuvable.")) from exc


# --- indicators ------------------------------------------------------------------------------------------


class IndicatorListView(FabriqueViewMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "intelligence/indicators.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        indicators = list(Indicator.objects.visible_to(self.fabrique))
        context["references"] = [i for i in indicators if i.is_reference]
        context["own"] = [i for i in indicators if not i.is_reference]
        context["batches"] = ImportBatch.objects.filter(fabrique=self.fabrique).select_related(
            "indicator", "uploaded_by"
        )[:20]
        return context


class IndicatorDetailView(FabriqueViewMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "intelligence/indicator_detail.html"
    max_rows = 200

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        indicator = _visible_indicator(self.fabrique, self.kwargs["pk"])
        values = IndicatorValue.objects.filter(indicator=indicator)

        def fmt(value):
            return format_value(value, indicator.decimals, indicator.unit)

        references = [
            {
                "label": row.code if row.level != Level.FRANCE else _("France"),
                "level": row.get_level_display(),
                "value": fmt(row.value),
                "computed": row.origin == "computed",
            }
            for row in values.filter(level__in=[Level.DEPARTEMENT, Level.FRANCE]).order_by("level", "code")[
                :120
            ]
        ]
        rows = list(values.filter(level=indicator.level).order_by("code")[: self.max_rows])
        context.update(
            indicator=indicator,
            references=references,
            rows=[
                {"code": r.code, "value": fmt(r.value) if r.value is not None else r.get_status_display()}
                for r in rows
            ],
            total=values.filter(level=indicator.level).count(),
            max_rows=self.max_rows,
            counts={
                level: values.filter(level=level).count()
                for level in (
                    Level.COMMUNE,
                    Level.IRIS,
                    Level.EPCI,
                    Level.QPV,
                    Level.DEPARTEMENT,
                    Level.FRANCE,
                )
            },
            batches=indicator.batches.filter(fabrique=self.fabrique).select_related("uploaded_by"),
            timeline=audit_timeline(target=indicator),
            can_delete=context["can_edit"] and not indicator.is_reference,
        )
        return context


class IndicatorDeleteView(FabriqueViewMixin, TemplateView):
    permission = Permission.EDIT
    template_name = "intelligence/indicator_delete.html"

    def get_indicator(self) -> Indicator:
        try:
            return Indicator.objects.filter(fabrique=self.fabrique).get(pk=self.kwargs["pk"])
        except (Indicator.DoesNotExist, ValueError) as exc:
            raise Http404(_("Indicateur introuvable.")) from exc

    def get_context_data(self, **kwargs):
        return super().get_context_data(indicator=self.get_indicator(), **kwargs)

    def post(self, request, *args, **kwargs):
        indicator = self.get_indicator()
        indicator_delete(indicator=indicator, actor=request.user)
        messages.success(request, _("L'indicateur « %(name)s » a été supprimé.") % {"name": indicator})
        return redirect(self.url("indicators"))


class IndicatorImportView(FabriqueViewMixin, TemplateView):
    permission = Permission.EDIT
    template_name = "intelligence/import_upload.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", UploadForm())
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                batch = import_batch_upload(
                    fabrique=self.fabrique, actor=request.user, uploaded_file=form.cleaned_data["file"]
                )
            except FileReadError as exc:
                form.add_error("file", exc.message)
            else:
                return redirect(self.url("indicator_import_preview", pk=batch.pk))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class BatchMixin:
    def get_batch(self) -> ImportBatch:
        if not hasattr(self, "_batch"):
            self._batch = self.scoped_get(ImportBatch.objects.select_related("indicator"), self.kwargs["pk"])
        return self._batch


class IndicatorImportPreviewView(BatchMixin, FabriqueViewMixin, TemplateView):
    """Preview of the file and the mapping form; POST checks every row and stores the mapping."""

    permission = Permission.EDIT
    template_name = "intelligence/import_preview.html"

    def own_indicators(self):
        return Indicator.objects.filter(fabrique=self.fabrique).order_by("name")

    def build(
        self,
        *,
        data=None,
        sheet: str | None = None,
        header_row: int | None = None,
        problems=None,
        field_errors: ValidationError | None = None,
        status=200,
    ):
        batch = self.get_batch()
        if batch.stage not in (ImportStage.UPLOADED, ImportStage.VALIDATED):
            messages.info(self.request, _("Cet import est terminé."))
            return redirect(self.url("indicators"))
        context = {"batch": batch, "problems": problems or [], "read_error": ""}
        try:
            table = import_batch_table(batch=batch, sheet=sheet)
        except FileReadError as exc:
            context.update(read_error=exc.message, form=None)
            return self.render_to_response(self.get_context_data(**context), status=400)
        mapping = batch.mapping or {}
        header_row = header_row or int(mapping.get("header_row") or batch.header_row or 1)
        header_row = min(max(header_row, 1), max(len(table.rows), 1))
        headers = table.header(header_row)
        initial = self.initial(batch, table, header_row)
        form = MappingForm(
            data, initial=initial, headers=headers, sheets=table.sheets, indicators=self.own_indicators()
        )
        if field_errors is not None and form.is_valid():
            add_service_errors(form, field_errors)
        rows = table.data_rows(header_row)
        context.update(
            form=form,
            table=table,
            headers=headers,
            header_row=header_row,
            preview=[(line, [cell_text(c) for c in row]) for line, row in rows[:PREVIEW_ROWS]],
            above=[[cell_text(c) for c in row] for row in table.rows[: header_row - 1]][:10],
            row_count=len(rows),
        )
        return self.render_to_response(self.get_context_data(**context), status=status)

    def initial(self, batch: ImportBatch, table, header_row: int) -> dict:
        mapping = batch.mapping or {}
        indicator = mapping.get("indicator") or {}
        direction = {True: "higher", False: "lower"}.get(indicator.get("higher_is_worse"), "neutral")
        initial = {
            "sheet": table.sheet,
            "header_row": header_row,
            "level": mapping.get("level") or Level.COMMUNE,
            "code_column": mapping.get("code_column", 0),
            "value_column": mapping.get("value_column"),
            "denominator_column": mapping.get("denominator_column") or "",
            "ignore_unknown": mapping.get("ignore_unknown", False),
            "target": str(mapping["indicator_id"]) if mapping.get("indicator_id") else "new",
            "direction": direction,
            "decimals": 0,
        }
        initial.update(
            {
                k: v
                for k, v in indicator.items()
                if k
                in {
                    "name",
                    "description",
                    "source",
                    "source_url",
                    "vintage",
                    "unit",
                    "licence",
                    "aggregation",
                    "decimals",
                }
            }
        )
        return initial

    def get(self, request, *args, **kwargs):
        return self.build()

    def post(self, request, *args, **kwargs):
        batch = self.get_batch()
        sheet = request.POST.get("sheet") or None
        try:
            header_row = int(request.POST.get("header_row") or 0) or None
        except ValueError:
            header_row = None
        if "refresh" in request.POST:  # another sheet or header row: show the preview again, save nothing
            return self.build(data=None, sheet=sheet, header_row=header_row)
        try:
            table = import_batch_table(batch=batch, sheet=sheet)
        except FileReadError as exc:
            messages.error(request, exc.message)
            return self.build(status=400)
        headers = table.header(header_row or 1)
        form = MappingForm(
            request.POST, headers=headers, sheets=table.sheets, indicators=self.own_indicators()
        )
        if not form.is_valid():
            return self.build(data=request.POST, sheet=sheet, header_row=header_row, status=400)
        target = form.target_indicator()
        try:
            import_batch_map(
                batch=batch,
                actor=request.user,
                mapping=form.mapping(),
                indicator_data=None if target else form.indicator_data(),
                indicator=target,
            )
        except ImportInvalid as exc:
            return self.build(
                data=request.POST, sheet=sheet, header_row=header_row, problems=exc.messages, status=400
            )
        except ValidationError as exc:
            return self.build(
                data=request.POST, sheet=sheet, header_row=header_row, field_errors=exc, status=400
            )
        except (DomainError, FileReadError) as exc:
            messages.error(request, exc.message)
            return self.build(data=request.POST, sheet=sheet, header_row=header_row, status=400)
        return redirect(self.url("indicator_import_confirm", pk=batch.pk))


class IndicatorImportConfirmView(BatchMixin, FabriqueViewMixin, TemplateView):
    """Summary of what will be imported; POST imports (or goes back, or abandons)."""

    permission = Permission.EDIT
    template_name = "intelligence/import_confirm.html"

    def get(self, request, *args, **kwargs):
        batch = self.get_batch()
        if batch.stage == ImportStage.IMPORTED and batch.indicator_id:
            return redirect(self.url("indicator_detail", pk=batch.indicator_id))
        if batch.stage == ImportStage.UPLOADED:
            return redirect(self.url("indicator_import_preview", pk=batch.pk))
        return self.render_to_response(self.get_context_data(**self.summary(batch)))

    def running(self, batch: ImportBatch) -> bool:
        return batch.background in (BackgroundState.QUEUED, BackgroundState.RUNNING)

    def summary(self, batch: ImportBatch) -> dict:
        mapping = batch.mapping or {}
        target = None
        if mapping.get("indicator_id"):
            target = Indicator.objects.filter(fabrique=self.fabrique, pk=mapping["indicator_id"]).first()
        headers = []
        sample = []
        running = self.running(batch)
        progress = batch.progress or {}
        total = int(progress.get("total") or 0)
        percent = min(99, int(100 * int(progress.get("done") or 0) / total)) if total and running else 0
        if batch.stage == ImportStage.VALIDATED and not running:
            try:
                table = import_batch_table(batch=batch)
                headers = table.header(int(mapping.get("header_row") or 1))
                plan = import_plan(table=table, mapping=mapping)
                sample = plan.values[:PREVIEW_ROWS]
            except FileReadError:
                pass

        def column(key: str) -> str:
            index = mapping.get(key)
            return headers[index] if index is not None and index < len(headers) else ""

        return {
            "batch": batch,
            "mapping": mapping,
            "new_indicator": mapping.get("indicator") or {},
            "target": target,
            "level_label": dict(Level.choices).get(mapping.get("level"), ""),
            "code_column": column("code_column"),
            "value_column": column("value_column"),
            "denominator_column": column("denominator_column"),
            "summary": batch.summary or {},
            "sample": sample,
            "timeline": audit_timeline(target=batch),
            "running": running,
            "progress": progress,
            "percent": percent,
            "large": import_batch_is_large(batch),
        }

    def post(self, request, *args, **kwargs):
        batch = self.get_batch()
        if "cancel" in request.POST:
            try:
                import_batch_cancel(batch=batch, actor=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request, _("L'import du fichier « %(name)s » est abandonné.") % {"name": batch}
                )
            return redirect(self.url("indicators"))
        if "remap" in request.POST:
            try:
                import_batch_remap(batch=batch, actor=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            return redirect(self.url("indicator_import_preview", pk=batch.pk))
        if "run" not in request.POST:
            context = self.get_context_data(
                **self.summary(batch),
                problems=[],
                error=_("Choisissez : importer, revenir aux colonnes ou abandonner."),
            )
            return self.render_to_response(context, status=400)
        if import_batch_is_large(batch):
            try:
                import_batch_queue(batch=batch, actor=request.user)
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _(
                        "Le fichier est gros : l'import se poursuit en arrière-plan. Vous pouvez quitter cette page, une notification vous préviendra."
                    ),
                )
            return redirect(self.url("indicator_import_confirm", pk=batch.pk))
        try:
            indicator = import_batch_run(batch=batch, actor=request.user)
        except ImportInvalid as exc:
            context = self.get_context_data(**self.summary(batch), problems=exc.messages, error=exc.message)
            return self.render_to_response(context, status=400)
        except (DomainError, FileReadError) as exc:
            context = self.get_context_data(**self.summary(batch), problems=[], error=exc.message)
            return self.render_to_response(context, status=400)
        messages.success(
            request,
            _("L'indicateur « %(name)s » a été importé : %(n)s valeurs.")
            % {"name": indicator, "n": batch.summary.get("ok", 0)},
        )
        return redirect(self.url("indicator_detail", pk=indicator.pk))


# --- map -----------------------------------------------------------------------------------------------


def _map_filters(request, fabrique) -> tuple[MapFilterForm, MapFilters]:
    workstreams = Workstream.objects.filter(fabrique=fabrique).order_by("name")
    form = MapFilterForm(request.GET or None, workstreams=workstreams)
    filters = MapFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = MapFilters(
            theme=data["theme"],
            need_stage=data["need_stage"],
            project_stage=data["project_stage"],
            workstream_id=int(data["workstream"]) if data["workstream"] else None,
            show=data["show"] or "all",
        )
    return form, filters


MAP_TABLE_ROWS = 50  # rows of each kind in the map page's table (the map itself places up to MAX_POINTS)


class MapView(FabriqueViewMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "intelligence/map.html"

    def get_context_data(self, **kwargs):
        from django.conf import settings

        context = super().get_context_data(**kwargs)
        form, filters = _map_filters(self.request, self.fabrique)
        layers = map_layers(fabrique=self.fabrique, filters=filters)
        query = self.request.GET.urlencode() if form.is_bound and form.is_valid() else ""
        # the needs list with the same filters: the page's table shows only the first rows
        list_params = {
            key: value
            for key, value in (
                ("theme", filters.theme),
                ("stage", filters.need_stage),
                ("workstream", filters.workstream_id or ""),
            )
            if value
        }
        context.update(
            form=form,
            filters=filters,
            layers=layers,
            # those the map cannot place first (the status line says the table lists them)
            table_needs=sorted(layers.needs, key=lambda p: p.located)[:MAP_TABLE_ROWS],
            table_projects=sorted(layers.projects, key=lambda p: p.located)[:MAP_TABLE_ROWS],
            table_rows=MAP_TABLE_ROWS,
            table_cut=len(layers.needs) > MAP_TABLE_ROWS or len(layers.projects) > MAP_TABLE_ROWS,
            need_list_url=self.url("need_list") + (f"?{urlencode(list_params)}" if list_params else ""),
            communes_with_needs=[c for c in layers.communes if c["needs"]],
            max_points=MAX_POINTS,
            data_url=self.url("map_data") + (f"?{query}" if query else ""),
            tile_url=getattr(settings, "FABRIQUE_MAP_TILE_URL", ""),
            tile_attribution=getattr(settings, "FABRIQUE_MAP_TILE_ATTRIBUTION", ""),
        )
        return context


@method_decorator(gzip_page, name="dispatch")
class MapDataView(FabriqueViewMixin, View):
    """The map's GeoJSON, sent compressed (the boundaries weigh more than the counts)."""

    permission = Permission.VIEW

    def get(self, request, *args, **kwargs):
        _form, filters = _map_filters(request, self.fabrique)
        layers = map_layers(fabrique=self.fabrique, filters=filters)
        return JsonResponse(layers.as_geojson(), json_dumps_params={"ensure_ascii": False})


# --- diagnoses -------------------------------------------------------------------------------------------


class DiagnosisListView(FabriqueViewMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "intelligence/diagnosis_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["zones"] = DiagnosisZone.objects.filter(fabrique=self.fabrique).prefetch_related(
            "communes", "epcis"
        )
        return context


class DiagnosisCreateView(FabriqueViewMixin, TemplateView):
    permission = Permission.EDIT
    template_name = "intelligence/diagnosis_form.html"
    zone: DiagnosisZone | None = None

    def get_zone(self) -> DiagnosisZone | None:
        return None

    def initial(self) -> dict:
        # from a territory page: ?territoires=commune:44109 or epci:244400404, ?nom=…
        return {
            "territories": self.request.GET.get("territoires", ""),
            "name": self.request.GET.get("nom", ""),
        }

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", DiagnosisZoneForm(initial=self.initial()))
        return super().get_context_data(zone=self.get_zone(), **kwargs)

    def post(self, request, *args, **kwargs):
        form = DiagnosisZoneForm(request.POST)
        if form.is_valid():
            data = {"name": form.cleaned_data["name"], "description": form.cleaned_data["description"]}
            selection = form.cleaned_data["territories"]
            try:
                zone = self.save(data=data, communes=selection.communes, epcis=selection.epcis)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("La zone « %(name)s » est enregistrée.") % {"name": zone})
                return redirect(self.url("diagnosis_detail", pk=zone.pk))
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def save(self, *, data, communes, epcis) -> DiagnosisZone:
        return diagnosis_zone_create(
            fabrique=self.fabrique, actor=self.request.user, **data, communes=communes, epcis=epcis
        )


class DiagnosisUpdateView(DiagnosisCreateView):
    def get_zone(self) -> DiagnosisZone:
        if self.zone is None:
            self.zone = self.scoped_get(DiagnosisZone, self.kwargs["pk"])
        return self.zone

    def initial(self) -> dict:
        zone = self.get_zone()
        from fabrique.territories.forms import TerritorySelection

        return {
            "name": zone.name,
            "description": zone.description,
            "territories": TerritorySelection(
                communes=list(zone.communes.all()), epcis=list(zone.epcis.all())
            ),
        }

    def save(self, *, data, communes, epcis) -> DiagnosisZone:
        return diagnosis_zone_update(
            zone=self.get_zone(), actor=self.request.user, **data, communes=communes, epcis=epcis
        )


class DiagnosisDetailView(FabriqueViewMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "intelligence/diagnosis_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        zone = self.scoped_get(DiagnosisZone, self.kwargs["pk"])
        context.update(zone=zone, diagnosis=diagnosis_build(zone=zone), timeline=audit_timeline(target=zone))
        return context


class DiagnosisPdfView(FabriqueViewMixin, View):
    permission = Permission.VIEW

    def get(self, request, *args, **kwargs):
        zone = self.scoped_get(DiagnosisZone, kwargs["pk"])
        pdf = diagnosis_pdf(diagnosis=diagnosis_build(zone=zone), fabrique=self.fabrique, request=request)
        response = HttpResponse(pdf, content_type="application/pdf")
        name = slugify(zone.name) or "zone"
        response["Content-Disposition"] = f'attachment; filename="diagnostic-{name}.pdf"'
        return response


# --- priorities ------------------------------------------------------------------------------------------


PRIORITIES_PAGE_SIZE = 25


class PrioritiesView(FabriqueViewMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "intelligence/priorities.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = PriorityFilterForm(self.request.GET or None)
        scope, theme = "open", ""
        if form.is_bound and form.is_valid():
            scope = form.cleaned_data["scope"] or "open"
            theme = form.cleaned_data["theme"]
        weights = weights_of(self.fabrique)
        # the stored insights, ranked in SQL with the fabrique's weights, a page at a time
        needs = ranked_needs(fabrique=self.fabrique, weights=weights, stages=SCOPE_STAGES[scope], theme=theme)
        pending = insights_ensure(fabrique=self.fabrique, needs=needs)
        # the page's ids ranked on narrow rows first, then those 25 needs with their joins
        page = DeferredJoinPaginator(needs, PRIORITIES_PAGE_SIZE).get_page(self.request.GET.get("page"))
        offset = (page.number - 1) * PRIORITIES_PAGE_SIZE
        context.update(
            form=form,
            weights=weights,
            weight_rows=[(str(COMPONENT_LABELS[k]), getattr(weights, k)) for k in weights.COMPONENTS],
            weight_total=sum(weights.as_dict().values()),
            ranked=[ranked_row(need, weights, offset + i) for i, need in enumerate(page, start=1)],
            page_obj=page,
            pending=pending,
        )
        return context


class PrioritySettingsView(FabriqueViewMixin, TemplateView):
    permission = Permission.EDIT
    template_name = "intelligence/priority_settings.html"

    def get_context_data(self, **kwargs):
        weights = weights_of(self.fabrique)
        kwargs.setdefault("form", PriorityWeightsForm(instance=weights))
        context = super().get_context_data(**kwargs)
        context["weights"] = weights
        context["timeline"] = audit_timeline(target=weights) if weights.pk else []
        return context

    def post(self, request, *args, **kwargs):
        form = PriorityWeightsForm(request.POST, instance=weights_of(self.fabrique))
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form.Meta.fields}
            try:
                priority_weights_set(fabrique=self.fabrique, actor=request.user, **data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("La pondération des priorités est enregistrée."))
                return redirect(self.url("priorities"))
        return self.render_to_response(self.get_context_data(form=form), status=400)


# --- the context of a need ---------------------------------------------------------------------------------


class NeedContextView(FabriqueViewMixin, TemplateView):
    permission = Permission.VIEW
    template_name = "intelligence/need_context.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        need = self.scoped_get(
            Need.objects.select_related(
                "commune__parent", "commune__epci", "commune__departement", "epci", "qpv", "workstream"
            ),
            self.kwargs["pk"],
        )
        radius = None
        try:
            radius = max(1, min(100, int(self.request.GET.get("rayon", ""))))
        except ValueError:
            radius = None
        context.update(
            need=need,
            ctx=need_context(need=need, radius_km=radius),
            timeline=audit_timeline(target=need),
            france_code=FRANCE_CODE,
        )
        return context


urlpatterns = [
    path("indicateurs/", IndicatorListView.as_view(), name="indicators"),
    path("indicateurs/importer/", IndicatorImportView.as_view(), name="indicator_import"),
    path(
        "indicateurs/importer/<int:pk>/",
        IndicatorImportPreviewView.as_view(),
        name="indicator_import_preview",
    ),
    path(
        "indicateurs/importer/<int:pk>/confirmer/",
        IndicatorImportConfirmView.as_view(),
        name="indicator_import_confirm",
    ),
    path("indicateurs/<int:pk>/", IndicatorDetailView.as_view(), name="indicator_detail"),
    path("indicateurs/<int:pk>/supprimer/", IndicatorDeleteView.as_view(), name="indicator_delete"),
    path("carte/", MapView.as_view(), name="map"),
    path("carte/donnees.json", MapDataView.as_view(), name="map_data"),
    path("diagnostics/", DiagnosisListView.as_view(), name="diagnosis_list"),
    path("diagnostics/nouveau/", DiagnosisCreateView.as_view(), name="diagnosis_create"),
    path("diagnostics/<int:pk>/", DiagnosisDetailView.as_view(), name="diagnosis_detail"),
    path("diagnostics/<int:pk>/modifier/", DiagnosisUpdateView.as_view(), name="diagnosis_update"),
    path("diagnostics/<int:pk>/diagnostic.pdf", DiagnosisPdfView.as_view(), name="diagnosis_pdf"),
    path("priorites/", PrioritiesView.as_view(), name="priorities"),
    path("priorites/ponderation/", PrioritySettingsView.as_view(), name="priority_settings"),
    path("besoins/<int:pk>/contexte/", NeedContextView.as_view(), name="need_context"),
]
