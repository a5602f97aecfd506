// Charts of the assessment pages (Chart.js, vendored). No external resources.
function jzProfileChart(canvasId, data, labels) {
  const el = document.getElementById(canvasId);
  if (!el || typeof Chart === "undefined") return;
  const datasets = [
    {type: "bar", label: labels.score, data: data.values, backgroundColor: data.values.map(v => v >= data.cutoff ? "rgba(217,138,0,.75)" : "rgba(31,111,209,.7)"), order: 2},
  ];
  if (data.norm_mean.some(v => v !== null)) {
    datasets.push({type: "line", label: labels.norm, data: data.norm_mean, borderColor: "#2c9a4b", backgroundColor: "#2c9a4b", pointRadius: 3, tension: 0, order: 1});
    datasets.push({type: "line", label: labels.high, data: data.norm_high, borderColor: "#2c9a4b", borderDash: [4, 4], pointRadius: 0, tension: 0, order: 1});
  }
  datasets.push({type: "line", label: labels.cutoff, data: data.values.map(() => data.cutoff), borderColor: "#d63b3b", borderDash: [6, 3], pointRadius: 0, order: 0});
  new Chart(el, {
    data: {labels: data.labels, datasets: datasets},
    options: {maintainAspectRatio: false, animation: false, scales: {y: {min: 1, max: 5, ticks: {stepSize: 0.5}}}, plugins: {legend: {position: "bottom"}}},
  });
}

function jzTrendChart(canvasId, data, label) {
  const el = document.getElementById(canvasId);
  if (!el || typeof Chart === "undefined") return;
  new Chart(el, {
    type: "line",
    data: {labels: data.labels, datasets: [{label: label, data: data.values, borderColor: "#1f6fd1", backgroundColor: "#1f6fd1", tension: 0,
      pointStyle: data.validity.map(v => v === "invalid" ? "crossRot" : "circle"), pointRadius: 5}]},
    options: {maintainAspectRatio: false, animation: false, plugins: {legend: {display: false}}},
  });
}

// Draw the charts the page declares (no inline script: the page carries data attributes only).
(function () {
  const profile = document.getElementById("profile");
  if (profile && profile.dataset.profile) {
    const data = JSON.parse(document.getElementById(profile.dataset.profile).textContent);
    jzProfileChart("profile", data, {score: profile.dataset.score, norm: profile.dataset.norm, high: profile.dataset.high, cutoff: profile.dataset.cutoff});
  }
  document.querySelectorAll("canvas[data-trend]").forEach(function (el) {
    jzTrendChart(el.id, JSON.parse(el.dataset.trend), el.dataset.label);
  });
})();
