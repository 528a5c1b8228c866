/* Territory autocomplete: turns every [data-territory-autocomplete] text input into a Tom Select
 * combobox fed by the public search endpoint (data-url, data-types). Without JavaScript the input
 * stays a plain text field that the server resolves (name, postal code or INSEE code).
 *
 * The server orders the results (accents, "saint"/"st", postal codes...), so Tom Select does no
 * filtering of its own: each answer replaces the options and keeps the server's order.
 */
(function () {
  "use strict";

  var MIN_CHARS = 2;

  function messages(el) {
    return {
      none: el.getAttribute("data-msg-no-results") || "Aucun territoire trouvé.",
      loading: el.getAttribute("data-msg-loading") || "Recherche…",
      typeMore: el.getAttribute("data-msg-type-more") || "Tapez au moins deux caractères.",
      remove: el.getAttribute("data-msg-remove") || "Retirer"
    };
  }

  function init(el) {
    if (el.tomselect || typeof window.TomSelect === "undefined") return;
    var url = el.getAttribute("data-url");
    var types = el.getAttribute("data-types") || "";
    var multiple = el.hasAttribute("data-multiple");
    var msg = messages(el);
    var describedBy = el.getAttribute("aria-describedby");
    var controller = null;

    var ts = new window.TomSelect(el, {
      valueField: "value",
      labelField: "label",
      searchField: [],
      dataAttr: "data-initial",
      delimiter: ";",
      maxItems: multiple ? null : 1,
      create: false,
      hideSelected: multiple,
      closeAfterSelect: !multiple,
      loadThrottle: 200,
      maxOptions: 20,
      plugins: multiple
        ? {
            remove_button: {
              title: msg.remove,
              label: '<span aria-hidden="true">×</span><span class="visually-hidden">' + msg.remove + "</span>"
            }
          }
        : [],
      shouldLoad: function (query) {
        return query.trim().length >= MIN_CHARS;
      },
      // Keep only the answer to the current query, in the server's order.
      score: function (query) {
        return function (item) {
          return item._query === query ? 1000 - item._position : 0;
        };
      },
      load: function (query, callback) {
        var self = this;
        if (controller) controller.abort();
        controller = window.AbortController ? new AbortController() : null;
        var params = new URLSearchParams({ q: query, types: types });
        fetch(url + "?" + params.toString(), {
          headers: { Accept: "application/json" },
          signal: controller ? controller.signal : undefined
        })
          .then(function (response) {
            return response.ok ? response.json() : { results: [] };
          })
          .then(function (data) {
            var results = (data.results || []).map(function (hit, index) {
              hit._query = query;
              hit._position = index;
              return hit;
            });
            self.clearOptions();
            callback(results);
          })
          .catch(function () {
            callback();
          });
      },
      openOnFocus: false,
      onItemAdd: function () {
        // Start the next search afresh (Tom Select keeps the typed text in multiple mode).
        this.setTextboxValue("");
        this.clearOptions();
        this.close();
      },
      onDropdownClose: function () {
        // Tom Select leaves aria-activedescendant pointing at an option that is gone.
        this.control_input.removeAttribute("aria-activedescendant");
      },
      onType: function (text) {
        // Options are the answer to one query: none while the query is too short.
        if (text.trim().length < MIN_CHARS) this.clearOptions();
      },
      render: {
        option: function (item, escape) {
          var context = item.context ? '<div class="meta">' + escape(item.context) + "</div>" : "";
          return "<div><div>" + escape(item.label) + "</div>" + context + "</div>";
        },
        item: function (item, escape) {
          return "<div>" + escape(item.label) + "</div>";
        },
        no_results: function () {
          return '<div class="no-results">' + msg.none + "</div>";
        },
        loading: function () {
          return '<div class="spinner" role="status">' + msg.loading + "</div>";
        },
        not_loading: function (data) {
          return data.input.trim().length < MIN_CHARS ? '<div class="no-results">' + msg.typeMore + "</div>" : "";
        }
      }
    });
    // The original input only carries the value now: keep it out of the accessibility tree.
    el.setAttribute("aria-hidden", "true");
    // Tom Select moves the <label for> to its own input; keep the help text announced too.
    if (describedBy && ts.control_input) {
      ts.control_input.setAttribute("aria-describedby", describedBy);
    }
  }

  function initAll(root) {
    var scope = root && root.querySelectorAll ? root : document;
    var elements = scope.querySelectorAll("[data-territory-autocomplete]");
    for (var i = 0; i < elements.length; i++) init(elements[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      initAll(document);
    });
  } else {
    initAll(document);
  }
  // Fragments loaded by htmx.
  document.addEventListener("htmx:load", function (event) {
    initAll(event.target);
  });
})();
