// Caseload charts of the home page (Chart.js, vendored).
(function () {
  const charts = JSON.parse(document.getElementById("caseload-charts").textContent);
  const colours = ["#d63b3b", "#d98a00", "#2c9a4b", "#1f6fd1", "#7a5af5"];
  function draw(id, data, type) {
    const el = document.getElementById(id);
    if (!el || !data) return;
    new Chart(el, {type: type, data: {labels: data.labels, datasets: [{data: data.values, backgroundColor: colours}]},
      options: {maintainAspectRatio: false, plugins: {legend: {display: type === "doughnut", position: "right"}}}});
  }
  draw("chart-class", charts["class"], "doughnut");
  draw("chart-type", charts["type"], "bar");
})();
