// The supervised person's face check-in: camera + location, a look-straight phase, the liveness
// challenge, then the frames are posted to /api/v1/checkins/<id>/submit. No external dependencies.
(function () {
  "use strict";
  var root = document.getElementById("checkin");
  if (!root || root.getAttribute("data-open") !== "1") return;
  var texts = JSON.parse(document.getElementById("ci-texts-static").textContent);
  var video = root.querySelector("video");
  var stream = null;
  var position = null;
  var NEUTRAL = [700, 1300];            // ms after the camera starts: frames looking straight
  var ACTION = [800, 1300, 1800, 2400]; // ms after the instruction appears: frames of the challenge

  function show(step) {
    root.querySelectorAll(".ci-step").forEach(function (el) {
      el.hidden = el.getAttribute("data-step") !== step;
    });
  }
  function role(name) { return root.querySelector('[data-role="' + name + '"]'); }
  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  function locate() {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) { resolve(null); return; }
      navigator.geolocation.getCurrentPosition(
        function (p) { resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude, accuracy: p.coords.accuracy }); },
        function () { resolve(null); },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    });
  }

  function openCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return Promise.reject(new Error("no camera API"));
    }
    return navigator.mediaDevices.getUserMedia({
      video: { facingMode: "user", width: { ideal: 640 }, height: { ideal: 480 } },
      audio: false,
    });
  }

  function grab() {
    // The raw (unmirrored) camera frame: the person's left is on the image's right.
    var w = video.videoWidth || 640, h = video.videoHeight || 480;
    var scale = Math.min(1, 800 / Math.max(w, h));
    var canvas = document.createElement("canvas");
    canvas.width = Math.round(w * scale);
    canvas.height = Math.round(h * scale);
    canvas.getContext("2d").drawImage(video, 0, 0, canvas.width, canvas.height);
    return canvas.toDataURL("image/jpeg", 0.85);
  }

  function stop() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); stream = null; }
  }

  function waitForVideo() {
    return new Promise(function (resolve) {
      if (video.readyState >= 2 && video.videoWidth) { resolve(); return; }
      video.addEventListener("loadeddata", function () { resolve(); }, { once: true });
    });
  }

  async function capture() {
    var frames = [];
    var prompt = role("prompt");
    prompt.textContent = texts.look;
    prompt.classList.remove("ci-challenge");
    var start = Date.now();
    for (var i = 0; i < NEUTRAL.length; i++) {
      await wait(Math.max(0, NEUTRAL[i] - (Date.now() - start)));
      frames.push(grab());
    }
    prompt.textContent = texts.challenge;
    prompt.classList.add("ci-challenge");
    start = Date.now();
    for (var j = 0; j < ACTION.length; j++) {
      await wait(Math.max(0, ACTION[j] - (Date.now() - start)));
      frames.push(grab());
    }
    return frames;
  }

  async function send(frames) {
    var response = await fetch(root.getAttribute("data-submit-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": root.getAttribute("data-csrf") },
      body: JSON.stringify({ frames: frames, position: position }),
    });
    var body = {};
    try { body = await response.json(); } catch (e) { body = {}; }
    return { status: response.status, body: body };
  }

  function showResult(answer) {
    var body = answer.body || {};
    var retry = root.querySelector('[data-step="result"] [data-action="retry"]');
    var title = role("result-title");
    root.setAttribute("data-result", body.result || "");
    root.setAttribute("data-request-status", body.request_status || "");
    if (answer.status === 200) {
      if (body.result === "match") {
        title.textContent = texts.ok_title;
        title.className = "success";
      } else if (body.attempts_left > 0) {
        title.textContent = texts.fail_title;
        title.className = "warning";
      } else {
        title.textContent = texts.sent_title;
        title.className = "";
      }
      role("result-text").textContent = body.message || "";
      retry.hidden = !(body.result !== "match" && body.attempts_left > 0);
    } else {
      title.textContent = texts.fail_title;
      title.className = "danger";
      role("result-text").textContent = body.message || texts.network;
      retry.hidden = true;
    }
    show("result");
  }

  async function run() {
    show("camera");
    role("where").textContent = "";
    var located = locate().then(function (p) {
      position = p;
      role("where").textContent = p ? texts.located : texts.no_location;
    });
    try {
      stream = await openCamera();
    } catch (e) {
      role("error-text").textContent = texts.no_camera;
      show("error");
      return;
    }
    video.srcObject = stream;
    await waitForVideo();
    var frames = await capture();
    stop();
    show("sending");
    await located;
    try {
      showResult(await send(frames));
    } catch (e) {
      role("error-text").textContent = texts.network;
      show("error");
    }
  }

  root.addEventListener("click", function (event) {
    var button = event.target.closest("[data-action]");
    if (!button) return;
    var action = button.getAttribute("data-action");
    if (action === "start" || action === "retry") run();
  });
})();
