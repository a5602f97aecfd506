// The planned routes of the day on a map (Leaflet, vendored).
(function () {
  var routes = JSON.parse(document.getElementById("vz-routes").textContent);
  var depot = JSON.parse(document.getElementById("vz-depot").textContent);
  var boundary = JSON.parse(document.getElementById("vz-boundary").textContent);
  var map = L.map("vz-map", { attributionControl: false });
  // set the view before adding vector layers (Leaflet cannot clip polygons on a map without a view)
  var bounds = L.latLngBounds([[depot.lat, depot.lon]]);
  routes.forEach(function (r) { r.stops.forEach(function (s) { bounds.extend([s.lat, s.lon]); }); });
  map.fitBounds(bounds.pad(0.25), { maxZoom: 13 });
  if (boundary) L.geoJSON(boundary, { interactive: false, style: { color: "#5a6b7d", weight: 1.5, fillColor: "#e3ecf7", fillOpacity: 0.9 } }).addTo(map);
  routes.forEach(function (r) {
    var pts = [[depot.lat, depot.lon]];
    r.stops.forEach(function (s) { pts.push([s.lat, s.lon]); });
    pts.push([depot.lat, depot.lon]);
    if (r.stops.length) L.polyline(pts, { color: r.colour, weight: 3, opacity: 0.85 }).addTo(map);
    r.stops.forEach(function (s, i) {
      L.marker([s.lat, s.lon], { icon: L.divIcon({ className: "", html: '<div style="background:' + r.colour + ';color:#fff;border-radius:50%;width:22px;height:22px;line-height:22px;text-align:center;font-size:12px;font-weight:600;border:2px solid #fff">' + (i + 1) + "</div>", iconSize: [22, 22], iconAnchor: [11, 11] }) })
        .addTo(map).bindTooltip(s.arrive + " " + s.name);
    });
  });
  L.circleMarker([depot.lat, depot.lon], { radius: 9, color: "#1d2733", fillColor: "#fff", fillOpacity: 1, weight: 3 }).addTo(map).bindTooltip(depot.name);
})();
