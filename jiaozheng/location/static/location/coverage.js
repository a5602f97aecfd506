// Electronic supervision rate per day and county (Chart.js, vendored).
(function () {
  const data = JSON.parse(document.getElementById("coverage-data").textContent);
  const colors = ["#1f6fd1", "#2c9a4b", "#d98a00", "#8e24aa", "#d63b3b"];
  const labels = Array.from(new Set(Object.values(data).flat().map((d) => d.day))).sort();
  const datasets = Object.entries(data).map(([county, days], i) => {
    const byDay = Object.fromEntries(days.map((d) => [d.day, d.rate == null ? null : Math.round(d.rate * 1000) / 10]));
    return { label: county, data: labels.map((l) => byDay[l] ?? null), borderColor: colors[i % colors.length], backgroundColor: colors[i % colors.length], spanGaps: true, tension: 0.2 };
  });
  new Chart(document.getElementById("coverage-chart"), {
    type: "line",
    data: { labels: labels.map((l) => l.slice(5)), datasets },
    options: { maintainAspectRatio: false, scales: { y: { min: 0, max: 100, ticks: { callback: (v) => v + "%" } } }, plugins: { legend: { position: "bottom" } } },
  });
})();
