#!/usr/bin/env python3
"""Copy the front-end libraries installed by `npm ci` into the static folder (no CDN at run time).

The list below is the only place that says which npm file is served under which static path.
Source-map comments are stripped from the copied JS/CSS: the maps are not vendored, and Django's
manifest storage (production) refuses to hash a file whose referenced map is missing.
"""

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "fabrique" / "static" / "fabrique" / "vendor"

FILES = {
    "htmx.org/dist/htmx.min.js": "htmx.min.js",
    "tom-select/dist/js/tom-select.complete.min.js": "tom-select.complete.min.js",
    "tom-select/dist/js/tom-select.complete.min.js.map": "tom-select.complete.min.js.map",
    "tom-select/dist/css/tom-select.css": "tom-select.css",
    "tom-select/dist/css/tom-select.css.map": "tom-select.css.map",
    "leaflet/dist/leaflet.js": "leaflet/leaflet.js",
    "leaflet/dist/leaflet.js.map": "leaflet/leaflet.js.map",
    "leaflet/dist/leaflet.css": "leaflet/leaflet.css",
    "leaflet.markercluster/dist/leaflet.markercluster.js": "leaflet/leaflet.markercluster.js",
    # its sourceMappingURL comment must resolve, or collectstatic (manifest storage) fails in production
    "leaflet.markercluster/dist/leaflet.markercluster.js.map": "leaflet/leaflet.markercluster.js.map",
    "leaflet.markercluster/dist/MarkerCluster.css": "leaflet/MarkerCluster.css",
    "leaflet.markercluster/dist/MarkerCluster.Default.css": "leaflet/MarkerCluster.Default.css",
    "leaflet/dist/images/layers.png": "leaflet/images/layers.png",
    "leaflet/dist/images/layers-2x.png": "leaflet/images/layers-2x.png",
    "leaflet/dist/images/marker-icon.png": "leaflet/images/marker-icon.png",
    "leaflet/dist/images/marker-icon-2x.png": "leaflet/images/marker-icon-2x.png",
    "leaflet/dist/images/marker-shadow.png": "leaflet/images/marker-shadow.png",
}

# `//# sourceMappingURL=x.map` (JS) and `/*# sourceMappingURL=x.map */` (CSS), on their own line
SOURCE_MAP = re.compile(
    rb"^[ \t]*(?://[#@]\s*sourceMappingURL=\S*|/\*[#@]\s*sourceMappingURL=[^*]*\*/)[ \t]*\r?\n?", re.M
)


def copy(src: Path, dst: Path) -> None:
    if dst.suffix in {".js", ".css"}:
        dst.write_bytes(SOURCE_MAP.sub(b"", src.read_bytes()))
    else:
        shutil.copyfile(src, dst)


def main() -> int:
    missing = []
    for source, target in FILES.items():
        src = NODE / source
        if not src.exists():
            missing.append(source)
            continue
        dst = VENDOR / target
        dst.parent.mkdir(parents=True, exist_ok=True)
        copy(src, dst)
    if missing:
        print("Missing npm files (run `npm ci`):", ", ".join(missing), file=sys.stderr)
        return 1
    print(f"vendored {len(FILES) - len(missing)} files into {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
