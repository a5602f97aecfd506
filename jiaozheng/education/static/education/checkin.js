// Phone check-in: optionally adds the browser's position (WGS-84) before submitting; never blocks the check-in.
(function () {
  var form = document.getElementById("checkin-form");
  if (!form) { return; }
  var share = document.getElementById("share-position");
  var status = document.getElementById("checkin-status");
  var sent = false;
  form.addEventListener("submit", function (event) {
    if (sent || !share.checked || !navigator.geolocation) { return; }
    event.preventDefault();
    document.getElementById("checkin-button").disabled = true;
    status.hidden = false;
    status.textContent = status.dataset.locating;
    var done = function () { sent = true; form.submit(); };
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.elements.latitude.value = pos.coords.latitude.toFixed(6);
      form.elements.longitude.value = pos.coords.longitude.toFixed(6);
      form.elements.accuracy.value = Math.round(pos.coords.accuracy);
      done();
    }, done, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
  });
})();
