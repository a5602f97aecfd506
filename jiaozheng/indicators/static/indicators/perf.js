/* Charts of the performance pages (Chart.js, vendored). Each <canvas data-chart='{"key":..., "data":...}'>
   is drawn once; labels come from data-* attributes so that they follow the page's language. */
(function () {
  "use strict";
  var BLUE = "#1f6fd1", GREY = "#b8c2cf", ORANGE = "#d98a00", GREEN = "#2c9a4b", MUTED = "#909399";
  var PALETTE = [BLUE, GREEN, ORANGE, "#8e44ad", "#c0392b", "#16a085"];

  function text(el, name, fallback) { return el.getAttribute("data-" + name) || fallback; }

  function progress(el, s) {
    var target = s.target || 1;
    return {
      type: "line",
      data: {
        labels: s.labels,
        datasets: [
          { label: text(el, "actual", "Actual"), data: s.actual, borderColor: BLUE, backgroundColor: BLUE, tension: 0.15, spanGaps: false },
          { label: text(el, "planned", "Planned"), data: s.planned, borderColor: MUTED, borderDash: [5, 4], pointRadius: 0, borderWidth: 1.5 },
          { label: text(el, "forecast", "Forecast"), data: s.forecast, borderColor: ORANGE, borderDash: [2, 3], pointRadius: 0, borderWidth: 1.5 },
          { label: text(el, "target", "Target"), data: s.labels.map(function () { return target; }), borderColor: GREEN, pointRadius: 0, borderWidth: 1 }
        ]
      },
      options: { responsive: true, maintainAspectRatio: false, plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: { y: { beginAtZero: true, title: { display: true, text: s.unit } } } }
    };
  }

  function progressShare(el, d) {
    var datasets = d.series.map(function (s, i) {
      var t = s.target || 1;
      return { label: s.name, data: s.actual.map(function (v) { return v === null ? null : Math.round(v * 1000 / t) / 10; }),
        borderColor: PALETTE[i % PALETTE.length], backgroundColor: PALETTE[i % PALETTE.length], tension: 0.15 };
    });
    if (d.series.length) {
      var first = d.series[0], t0 = first.target || 1;
      datasets.push({ label: text(el, "planned", "Planned"), data: first.planned.map(function (v) { return Math.round(v * 1000 / t0) / 10; }),
        borderColor: MUTED, borderDash: [5, 4], pointRadius: 0 });
    }
    return { type: "line", data: { labels: d.series.length ? d.series[0].labels : [], datasets: datasets },
      options: { responsive: true, maintainAspectRatio: false, plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } },
        scales: { y: { beginAtZero: true, max: 120, title: { display: true, text: "%" } } } } };
  }

  function completion(el, d) {
    return { type: "bar", data: { labels: d.labels, datasets: [
        { label: text(el, "ratio", "Actual ÷ target (%)"), data: d.ratio.map(function (v) { return Math.round(v * 10) / 10; }),
          backgroundColor: d.ratio.map(function (v) { return v >= 100 ? GREEN : ORANGE; }) } ] },
      options: { indexAxis: "y", responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false },
        tooltip: { callbacks: { afterLabel: function (c) { return d.actual[c.dataIndex] + " / " + d.target[c.dataIndex]; } } } },
        scales: { x: { beginAtZero: true, suggestedMax: 110 } } } };
  }

  function funds(el, d) {
    return { type: "bar", data: { labels: d.labels, datasets: [
        { label: text(el, "budget", "Budget"), data: d.budget, backgroundColor: GREY },
        { label: text(el, "spent", "Spent"), data: d.spent, backgroundColor: BLUE } ] },
      options: { responsive: true, maintainAspectRatio: false, plugins: { legend: { position: "bottom" } },
        scales: { y: { beginAtZero: true, title: { display: true, text: text(el, "unit", "") } } } } };
  }

  function draw(root) {
    if (typeof Chart === "undefined") { return; }
    (root || document).querySelectorAll("canvas[data-chart]").forEach(function (el) {
      if (el.dataset.drawn) { return; }
      el.dataset.drawn = "1";
      var spec = JSON.parse(el.getAttribute("data-chart"));
      var data = spec.data || spec;
      var build = { progress: data.series ? progressShare : progress, progress_one: progress, completion: completion, funds: funds }[spec.key];
      if (!build) { return; }
      new Chart(el, build(el, data));
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (e) { draw(e.target); });
})();
