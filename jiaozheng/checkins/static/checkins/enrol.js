// Staff page: take the reference photo with the computer's camera instead of uploading a file.
(function () {
  "use strict";
  var box = document.getElementById("enrol-camera");
  if (!box) return;
  var video = box.querySelector("video");
  var stream = null;
  function part(name) { return box.querySelector('[data-role="' + name + '"]'); }
  box.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action]");
    if (!button) return;
    if (button.getAttribute("data-action") === "camera") {
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { part("error").hidden = false; return; }
      navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 } }, audio: false })
        .then(function (s) { stream = s; video.srcObject = s; part("live").hidden = false; part("shot").hidden = true; part("error").hidden = true; })
        .catch(function () { part("error").hidden = false; });
    }
    if (button.getAttribute("data-action") === "snap" && stream) {
      var canvas = document.createElement("canvas");
      canvas.width = video.videoWidth || 640;
      canvas.height = video.videoHeight || 480;
      canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
      var data = canvas.toDataURL("image/jpeg", 0.92);
      box.querySelector('input[name="captured"]').value = data;
      part("shot").querySelector("img").src = data;
      part("shot").hidden = false;
      part("live").hidden = true;
      stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
    }
  });
})();
