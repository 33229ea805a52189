// Console helpers that only add convenience: every page works without them.
(function () {
  "use strict";
  // "Pilih semua" for the bulk verify/dispose form; re-bound after htmx swaps the results.
  function bind(root) {
    root.querySelectorAll("[data-select-all]").forEach(function (box) {
      box.hidden = false;
      box.addEventListener("change", function () {
        var form = box.closest("form");
        if (!form) return;
        form.querySelectorAll('input[type=checkbox][name="' + box.dataset.selectAll + '"]').forEach(function (item) {
          item.checked = box.checked;
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { bind(document); });
  document.addEventListener("htmx:afterSwap", function (event) { bind(event.target); });
})();
