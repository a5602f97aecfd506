// The person's zones on a small map (Leaflet, vendored).
(function () {
  const el = document.getElementById("zones-map");
  const map = L.map(el, { attributionControl: false });
  const style = { area: { color: "#2c9a4b", dashArray: "6 4", fillOpacity: 0.05 }, trip: { color: "#1f6fd1", dashArray: "4 4", fillOpacity: 0.08 }, forbidden: { color: "#d63b3b", fillOpacity: 0.2 } };
  fetch(el.dataset.url, { credentials: "same-origin" }).then((r) => r.json()).then((fc) => {
    const layer = L.geoJSON(fc, { style: (f) => style[f.properties.kind] || style.area, onEachFeature: (f, l) => l.bindTooltip(f.properties.name, { sticky: true }) }).addTo(map);
    if (fc.features.length) map.fitBounds(layer.getBounds(), { padding: [10, 10] }); else map.setView([27.9, 110.6], 9);
  });
  L.control.scale({ imperial: false }).addTo(map);
})();
