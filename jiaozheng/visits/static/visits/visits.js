// Visit form helpers: capture the visitor's position (browser geolocation), show the field-visit target
// only for field visits, open an intervention's fields when it is ticked. No external dependencies.
(function () {
  function $(sel, root) { return (root || document).querySelector(sel); }

  var capture = $("#vz-capture");
  if (capture) {
    capture.addEventListener("click", function () {
      var status = $("#vz-pos-status");
      if (!navigator.geolocation) { status.textContent = capture.dataset.unsupported; return; }
      status.textContent = capture.dataset.waiting;
      navigator.geolocation.getCurrentPosition(function (pos) {
        $("#id_latitude").value = pos.coords.latitude.toFixed(6);
        $("#id_longitude").value = pos.coords.longitude.toFixed(6);
        $("#id_accuracy_m").value = Math.round(pos.coords.accuracy);
        status.textContent = capture.dataset.done.replace("{lat}", pos.coords.latitude.toFixed(5))
          .replace("{lon}", pos.coords.longitude.toFixed(5)).replace("{acc}", Math.round(pos.coords.accuracy));
        $("#vz-clear").hidden = false;
      }, function (err) {
        status.textContent = capture.dataset.failed + " (" + err.message + ")";
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    });
    $("#vz-clear").addEventListener("click", function () {
      ["#id_latitude", "#id_longitude", "#id_accuracy_m"].forEach(function (s) { $(s).value = ""; });
      $("#vz-pos-status").textContent = "";
      this.hidden = true;
    });
  }

  var method = $("#id_method");
  var target = $("#id_field_target");
  function syncTarget() {
    if (!method || !target) return;
    var box = target.closest(".field");
    var field = method.value === "field_visit";
    box.hidden = !field;
    if (!field) target.value = "";
  }
  if (method) { method.addEventListener("change", syncTarget); syncTarget(); }

  var type = $("#id_visit_type");
  if (type && method && !type.dataset.editing) {
    type.addEventListener("change", function () {
      if (type.value === "routine" && method.value === "field_visit") method.value = "phone_check";
      if (type.value !== "routine") { method.value = "field_visit"; if (target && !target.value) target.value = "home"; }
      syncTarget();
    });
  }

  document.querySelectorAll(".vz-iv").forEach(function (box) {
    var tick = box.querySelector("input[type=checkbox]");
    function sync() { box.classList.toggle("off", !tick.checked); }
    if (tick) { tick.addEventListener("change", sync); sync(); }
  });

  var all = $("#vz-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input[name=person]").forEach(function (c) { c.checked = all.checked; });
    });
  }
})();
