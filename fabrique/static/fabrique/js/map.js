/* Map of a fabrique's needs and projects (Leaflet + markercluster, served from static files).
 *
 * Progressive enhancement: the page lists everything in tables; this script draws the map from the
 * JSON of `data-url`. Without a tile server (`data-tile-url` empty) the background is made of the
 * shipped boundaries: départements, communes coloured by number of needs, QPV outlines.
 * Texts come from data-label-* attributes (translated by the server); user text is never put in HTML.
 */
(function () {
  "use strict";

  var PALETTE = ["#ffffff", "#dbe8f5", "#a9c8e6", "#6c9fcf", "#3b73ad", "#1f4e79"];

  function colour(count, classes) {
    if (!count || !classes.length) return PALETTE[0];
    for (var i = 0; i < classes.length; i++) {
      if (count <= classes[i]) return PALETTE[Math.min(i + 1, PALETTE.length - 1)];
    }
    return PALETTE[PALETTE.length - 1];
  }

  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) node.className = className;
    return node;
  }

  function popup(props, labels) {
    var box = document.createElement("div");
    box.className = "intel-popup";
    var kind = props.kind === "project" ? labels.project : labels.need;
    box.appendChild(text("p", kind + (props.reference ? " " + props.reference : ""), "meta"));
    box.appendChild(text("p", props.title, "intel-popup-title"));
    var details = [props.theme_label, props.stage_label, props.commune].filter(Boolean).join(" · ");
    if (details) box.appendChild(text("p", details, "meta"));
    var link = text("a", labels.open, "button small");
    link.href = props.url;
    box.appendChild(link);
    return box;
  }

  function marker(feature, latlng, labels) {
    var props = feature.properties;
    var kind = props.kind === "project" ? "project" : "need";
    var label = (kind === "project" ? labels.project : labels.need) + " " + (props.reference || "") + " — " + props.title;
    var m = L.marker(latlng, {
      icon: L.divIcon({
        className: "intel-marker intel-marker-" + kind + " intel-theme-" + (props.theme || "none"),
        html: "",
        iconSize: [18, 18],
        iconAnchor: [9, 9],
        popupAnchor: [0, -8],
      }),
      title: label,
      alt: label,
      keyboard: true,
      riseOnHover: true,
    });
    m.bindPopup(function () { return popup(props, labels); });
    return m;
  }

  function legend(map, classes, labels) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = L.DomUtil.create("div", "intel-legend");
      box.appendChild(text("p", labels.legend, "intel-legend-title"));
      var rows = [[PALETTE[0], labels.none]];
      var low = 1;
      classes.forEach(function (bound, i) {
        rows.push([PALETTE[Math.min(i + 1, PALETTE.length - 1)], low === bound ? String(bound) : low + " – " + bound]);
        low = bound + 1;
      });
      rows.forEach(function (row) {
        var line = document.createElement("p");
        var swatch = text("span", "", "intel-swatch");
        swatch.style.background = row[0];
        line.appendChild(swatch);
        line.appendChild(document.createTextNode(" " + row[1]));
        box.appendChild(line);
      });
      var qpv = document.createElement("p");
      qpv.appendChild(text("span", "", "intel-swatch intel-swatch-qpv"));
      qpv.appendChild(document.createTextNode(" " + labels.qpvLegend));
      box.appendChild(qpv);
      var need = document.createElement("p");
      need.appendChild(text("span", "", "intel-swatch intel-marker-need"));
      need.appendChild(document.createTextNode(" " + labels.needs));
      box.appendChild(need);
      var project = document.createElement("p");
      project.appendChild(text("span", "", "intel-swatch intel-marker-project"));
      project.appendChild(document.createTextNode(" " + labels.projects));
      box.appendChild(project);
      return box;
    };
    control.addTo(map);
  }

  function draw(map, el, data, labels) {
    var bounds = L.latLngBounds([]);
    var departements = L.geoJSON(data.departements, {
      style: { color: "#4a5560", weight: 1.5, fill: false },
      interactive: false,
    }).addTo(map);

    var communes = L.geoJSON(data.communes, {
      style: function (f) {
        return { color: "#8a949d", weight: 0.6, fillColor: colour(f.properties.needs, data.classes), fillOpacity: 0.7 };
      },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, {
          radius: 3 + Math.min(f.properties.needs, 10) * 1.2,
          color: "#6b7680", weight: 0.8,
          fillColor: colour(f.properties.needs, data.classes), fillOpacity: 0.85,
        });
      },
      onEachFeature: function (f, layer) {
        var n = f.properties.needs;
        layer.bindTooltip(f.properties.name + " : " + (n ? n + " " + labels.count : labels.none));
      },
    }).addTo(map);

    var qpvs = L.geoJSON(data.qpvs, {
      style: { color: "#a3201a", weight: 1.6, dashArray: "4 3", fillColor: "#a3201a", fillOpacity: 0.06 },
      onEachFeature: function (f, layer) {
        var box = document.createElement("div");
        box.appendChild(text("p", f.properties.name, "intel-popup-title"));
        var link = text("a", labels.open, "button small");
        link.href = f.properties.url;
        box.appendChild(link);
        layer.bindPopup(box);
      },
    }).addTo(map);

    var needs = L.markerClusterGroup({ maxClusterRadius: 36, disableClusteringAtZoom: 13, showCoverageOnHover: false });
    var projects = L.markerClusterGroup({ maxClusterRadius: 36, disableClusteringAtZoom: 13, showCoverageOnHover: false });
    L.geoJSON(data.needs, { pointToLayer: function (f, ll) { return marker(f, ll, labels); } }).eachLayer(function (l) { needs.addLayer(l); });
    L.geoJSON(data.projects, { pointToLayer: function (f, ll) { return marker(f, ll, labels); } }).eachLayer(function (l) { projects.addLayer(l); });
    needs.addTo(map);
    projects.addTo(map);

    [communes, needs, projects, qpvs].forEach(function (layer) {
      if (layer.getLayers().length) bounds.extend(layer.getBounds());
    });
    if (!bounds.isValid() && departements.getLayers().length) bounds.extend(departements.getBounds());
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [12, 12], maxZoom: 13 });
    else map.setView([46.6, 2.4], 5);

    var overlays = {};
    overlays[labels.needs] = needs;
    overlays[labels.projects] = projects;
    overlays[labels.communes] = communes;
    overlays[labels.qpvs] = qpvs;
    L.control.layers(null, overlays, { collapsed: window.innerWidth < 760 }).addTo(map);
    legend(map, data.classes, labels);
    el.setAttribute("data-ready", "1");
  }

  function init(el) {
    if (!window.L || !el.dataset.url) return;
    var labels = {
      needs: el.dataset.labelNeeds, projects: el.dataset.labelProjects, communes: el.dataset.labelCommunes,
      qpvs: el.dataset.labelQpvs, open: el.dataset.labelOpen, need: el.dataset.labelNeed,
      project: el.dataset.labelProject, none: el.dataset.labelNone, count: el.dataset.labelCount,
      legend: el.dataset.labelLegend, qpvLegend: el.dataset.labelQpvLegend,
    };
    var fallback = el.querySelector(".map-fallback");
    if (fallback) fallback.remove();
    var map = L.map(el, { zoomSnap: 0.25, scrollWheelZoom: false, attributionControl: true, minZoom: 4, maxZoom: 18 });
    map.attributionControl.setPrefix(false);
    if (el.dataset.tileUrl) {
      L.tileLayer(el.dataset.tileUrl, { attribution: el.dataset.tileAttribution || "", maxZoom: 18 }).addTo(map);
    }
    fetch(el.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (data) { draw(map, el, data, labels); })
      .catch(function (error) {
        el.setAttribute("data-ready", "error");
        if (window.console) window.console.error(error);
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("#intel-map[data-url]").forEach(init);
  });
})();
