/* Progressive enhancement only: every page works without JavaScript. */
(function () {
  "use strict";

  function initNavToggle() {
    var toggle = document.querySelector(".nav-toggle");
    var list = document.getElementById("main-nav-list");
    if (!toggle || !list) return;
    toggle.addEventListener("click", function () {
      var open = list.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }

  function focusErrorSummary() {
    var summary = document.querySelector(".error-summary");
    if (summary) summary.focus();
  }

  /* <p class="copy-link" data-copy-target="ID" hidden><button>…</button><span role="status"></span></p>:
     shown only when the clipboard can be used; copies the href (or text) of #ID. */
  function initCopyButtons() {
    if (!navigator.clipboard || !window.isSecureContext) return;
    var blocks = document.querySelectorAll("[data-copy-target]");
    Array.prototype.forEach.call(blocks, function (block) {
      var target = document.getElementById(block.getAttribute("data-copy-target"));
      var button = block.querySelector("button");
      var status = block.querySelector("[role=status]");
      if (!target || !button) return;
      block.hidden = false;
      button.addEventListener("click", function () {
        var text = target.href || target.textContent;
        navigator.clipboard.writeText(text).then(
          function () { if (status) status.textContent = block.getAttribute("data-copied") || ""; },
          function () { if (status) status.textContent = block.getAttribute("data-copy-failed") || ""; }
        );
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initNavToggle();
    focusErrorSummary();
    initCopyButtons();
  });
})();
