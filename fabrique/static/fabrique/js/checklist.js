/* Long checkbox lists (meeting attendees, steering groups, workshop participants, members): a
   "Filtrer" box narrows the list as one types, accents and case ignored. Progressive enhancement
   only: without JavaScript the checkboxes work as they are. No inline script (CSP). */
(function () {
  "use strict";

  var MIN_CHOICES = 6;

  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function enhance(fieldset, index) {
    var choices = fieldset.querySelectorAll(".checklist-choices .choice");
    if (choices.length < MIN_CHOICES) return;
    var id = "checklist-filter-" + index;
    var wrapper = document.createElement("div");
    wrapper.className = "checklist-filter";
    var label = document.createElement("label");
    label.setAttribute("for", id);
    label.textContent = fieldset.getAttribute("data-filter-label") || "Filtrer la liste";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    var status = document.createElement("p");
    status.className = "meta checklist-status";
    status.setAttribute("aria-live", "polite");
    wrapper.appendChild(label);
    wrapper.appendChild(input);
    wrapper.appendChild(status);
    var list = fieldset.querySelector(".checklist-choices");
    fieldset.insertBefore(wrapper, list);

    function count() {
      var checked = fieldset.querySelectorAll(".checklist-choices input:checked").length;
      var none = fieldset.getAttribute("data-count-none") || "";
      var one = fieldset.getAttribute("data-count-one") || "";
      var many = fieldset.getAttribute("data-count-many") || "";
      status.textContent = checked === 0 ? none : checked === 1 ? one : many.replace("%(n)s", checked);
    }

    input.addEventListener("input", function () {
      var query = fold(input.value);
      for (var i = 0; i < choices.length; i++) {
        var text = fold(choices[i].textContent);
        var checked = choices[i].querySelector("input").checked;
        choices[i].hidden = query !== "" && text.indexOf(query) === -1 && !checked;
      }
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault(); // never submit the form while filtering
    });
    fieldset.addEventListener("change", count);
    count();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var lists = document.querySelectorAll("fieldset[data-checklist]");
    for (var i = 0; i < lists.length; i++) enhance(lists[i], i);
  });
})();
