/* "Ce besoin a peut-être déjà été signalé": place the suggestions box (rendered by the report
   form's `same_as_need` field, fed by htmx from the title and commune fields) under the "Où ?"
   fields, close to what the person is typing, and keep the person's choice when the suggestions
   are refreshed. Without JavaScript the form works as before, without suggestions. */
(function () {
  "use strict";

  function place() {
    var box = document.getElementById("need-suggestions");
    if (!box || box.dataset.placed) return;
    var anchor = document.getElementById("id_place") || document.getElementById("id_commune");
    var field = anchor && anchor.closest(".field");
    if (field && field.parentNode) {
      field.parentNode.insertBefore(box, field.nextSibling);
    }
    box.dataset.placed = "1";
    box.addEventListener("change", function (event) {
      // the choice is remembered by need (data-choice), not by value: each refresh signs new tokens
      if (event.target && event.target.name === "same_as_need") {
        box.dataset.chosen = event.target.dataset.choice || event.target.value;
      }
    });
    // a refresh answered after the person chose must not undo the choice
    box.addEventListener("htmx:afterSwap", function () {
      if (box.dataset.chosen === undefined) return;
      var radios = box.querySelectorAll('input[name="same_as_need"]');
      for (var i = 0; i < radios.length; i++) {
        if ((radios[i].dataset.choice || radios[i].value) === box.dataset.chosen) radios[i].checked = true;
      }
    });
    if (window.htmx) window.htmx.process(box);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", place);
  } else {
    place();
  }
})();
