// Alert queue: "select all on this page" for the bulk triage form.
(function () {
  "use strict";
  var all = document.getElementById("bulk-all");
  if (!all) return;
  all.addEventListener("change", function () {
    document.querySelectorAll("input.bulk-id").forEach(function (box) { box.checked = all.checked; });
  });
})();
