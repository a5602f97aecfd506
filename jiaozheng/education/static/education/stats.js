// Monthly bar charts of the statistics page (data from json_script; no external requests).
(function () {
  function read(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : []; }
  var labels = document.getElementById("chart-labels").dataset;
  function chart(id, months, withRemote) {
    var canvas = document.getElementById(id);
    if (!canvas || typeof Chart === "undefined") { return; }
    var sets = [{ label: labels.held, data: months.map(function (m) { return m.held; }), backgroundColor: "#1f6fd1" }];
    if (withRemote) { sets.push({ label: labels.remote, data: months.map(function (m) { return m.remote; }), backgroundColor: "#e07b2a" }); }
    sets.push({ label: labels.cancelled, data: months.map(function (m) { return m.cancelled; }), backgroundColor: "#c0c4cc" });
    new Chart(canvas, {
      type: "bar",
      data: { labels: months.map(function (m) { return m.label.slice(5); }), datasets: sets },
      options: { maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }
  chart("edu-chart", read("edu-months"), true);
  chart("com-chart", read("com-months"), false);
})();
