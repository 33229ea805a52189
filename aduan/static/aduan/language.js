// The footer's language picker submits itself when changed (without JS its OK button does).
// A file, not an onchange attribute: the Content-Security-Policy allows no inline script.
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  document.querySelectorAll("select[data-submit-on-change]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});
