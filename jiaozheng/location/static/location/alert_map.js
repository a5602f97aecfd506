// The mini map of an alert: the county outline or the forbidden zone, and the fixes that triggered it.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("alert-data").textContent);
  const L = window.L;
  const map = L.map("alert-map", { attributionControl: false, preferCanvas: true });
  const first = data.fixes[0];
  map.setView(first ? [first.lat, first.lon] : [27.9, 110.6], 11); // a view first: circles need one
  const group = L.featureGroup().addTo(map);
  if (data.boundary) {
    L.geoJSON(data.boundary, { style: { color: "#2c9a4b", weight: 2, dashArray: "6 4", fillColor: "#fff", fillOpacity: 0.6 } }).addTo(map);
  }
  if (data.zone) {
    if (data.zone.type === "Circle") {
      L.circle([data.zone.center[1], data.zone.center[0]], { radius: data.zone.radius_m, color: "#d63b3b", fillOpacity: 0.15 }).addTo(group);
    } else {
      L.geoJSON(data.zone, { style: { color: "#d63b3b", fillOpacity: 0.15 } }).addTo(group);
    }
  }
  data.fixes.forEach((f) => {
    if (f.acc) L.circle([f.lat, f.lon], { radius: f.acc, color: "#d63b3b", weight: 1, fillOpacity: 0.06 }).addTo(group);
    L.circleMarker([f.lat, f.lon], { radius: 4, color: "#d63b3b", fillColor: "#d63b3b", fillOpacity: 1 })
      .bindTooltip(f.local || f.t).addTo(group);
  });
  if (group.getLayers().length) map.fitBounds(group.getBounds().pad(0.6), { maxZoom: 15 });
  L.control.scale({ imperial: false }).addTo(map);
})();
