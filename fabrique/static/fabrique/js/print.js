/* Print buttons ([data-print]) of the printable documents: no inline handler (Content-Security-Policy). */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-print]") : null;
    if (button) window.print();
  });
})();
