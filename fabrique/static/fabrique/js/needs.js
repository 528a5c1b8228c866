/* Qualification grid: show the total while scoring (progressive enhancement; the server computes
   the saved total). */
(function () {
  "use strict";

  function initQualification(form) {
    var weights = {};
    (form.getAttribute("data-weights") || "").split(",").forEach(function (pair) {
      var parts = pair.split(":");
      if (parts.length === 2) weights[parts[0]] = parseInt(parts[1], 10) || 1;
    });
    var output = form.querySelector(".qualification-total");
    if (!output) return;
    var maximum = 0;
    Object.keys(weights).forEach(function (id) { maximum += 3 * weights[id]; });

    function update() {
      var total = 0;
      var scored = 0;
      Object.keys(weights).forEach(function (id) {
        var select = form.querySelector("[name='score_" + id + "']");
        if (select && select.value !== "") {
          total += parseInt(select.value, 10) * weights[id];
          scored += 1;
        }
      });
      output.textContent = "Total (avant enregistrement) : " + total + "/" + maximum +
        " — " + scored + " critère(s) noté(s)";
    }

    form.addEventListener("change", function (event) {
      if (event.target && event.target.name && event.target.name.indexOf("score_") === 0) update();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll(".qualification-form");
    for (var i = 0; i < forms.length; i++) initQualification(forms[i]);
  });
})();
