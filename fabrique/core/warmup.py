"""Warm a server process before it forks its workers.

Django loads much lazily on the first request of each process: the URLconf (it imports every view
module), the translation catalogues, the compiled templates (the cached loader), the form widgets'
templates. Under gunicorn each worker paid that on its first requests — measured: a second of CPU and more
for the first page of each worker, all five at once after a start or a recycle. Done once in the master
(`preload_app`), the forked workers inherit it all.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.template import Engine

logger = logging.getLogger(__name__)


def warm_process() -> dict[str, int]:
    """Import the URLconf, load the catalogues, compile every template and warm the grouping engine.
    Returns counts (for the log and the tests). Never raises: a template that does not compile alone (a
    fragment) is skipped — the request that needs it will say why."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    from fabrique.grouping.api import warm

    resolver = get_resolver()
    resolver.url_patterns  # noqa: B018 - imports every view module
    resolver.reverse_dict  # noqa: B018 - the reverse lookup tables, built per language
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Tableau de bord")  # loads the catalogues of this language
            get_resolver().reverse_dict  # noqa: B018
    templates = _compile_templates()
    warm()
    counts = {"templates": templates, "url_namespaces": len(resolver.namespace_dict)}
    logger.info("process warmed: %s", counts)
    return counts


def _compile_templates() -> int:
    from django.forms.renderers import get_default_renderer
    from django.template import engines

    # (engine, the prefix of the names to compile): the project's engine compiles everything it can find;
    # the form renderer's own engine only the widgets' templates (the rest is the same files again)
    targets = [(backend.engine, "") for backend in engines.all() if hasattr(backend, "engine")]
    renderer_backend = getattr(get_default_renderer(), "engine", None)
    if renderer_backend is not None and hasattr(renderer_backend, "engine"):
        targets.append((renderer_backend.engine, "django/forms/"))
    compiled = 0
    for engine, prefix in targets:
        for directory in _template_dirs(engine):
            root = Path(directory)
            for path in sorted(root.rglob("*")):
                name = path.relative_to(root).as_posix()
                if path.suffix not in {".html", ".txt"} or not name.startswith(prefix) or not path.is_file():
                    continue
                try:
                    engine.get_template(name)
                    compiled += 1
                except Exception:  # noqa: BLE001 - a fragment that does not compile alone is not an error here
                    logger.debug("template not warmed: %s", name, exc_info=True)
    return compiled


def _template_dirs(engine: Engine) -> list[str]:
    """Every folder the engine's loaders read (the cached loader wraps the filesystem and app loaders)."""
    dirs: list[str] = []
    for loader in engine.template_loaders:
        for inner in getattr(loader, "loaders", [loader]):
            if hasattr(inner, "get_dirs"):
                dirs.extend(str(d) for d in inner.get_dirs() if str(d) not in dirs)
    return dirs
