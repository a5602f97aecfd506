// Location map: county outlines, latest positions, a person's zones and one day's track with playback.
// Vendored Leaflet only. The base layer, when the bureau has installed an archive, is raster tiles served by
// the platform itself (/location/tiles/z/x/y); without one, positions are drawn on the GeoJSON outlines.
(function () {
  "use strict";
  const cfg = JSON.parse(document.getElementById("loc-config").textContent);
  const L = window.L;
  const T = cfg.labels;
  const COLORS = { moving: "#2c9a4b", still: "#1f6fd1", silent: "#d63b3b", silent_cause: "#d98a00", never: "#9aa1ab" };
  const ORDER = { silent: 0, silent_cause: 1, never: 2, moving: 3, still: 4 };
  const FLAG = { MOCK: 1, OUTSIDE: 2, FORBIDDEN: 8, APPROX: 32 };

  const BASE = cfg.basemap || {};
  const map = L.map("map", { preferCanvas: true, zoomSnap: 0.25, attributionControl: false });
  map.setView([27.9, 110.6], 9);
  if (BASE.state === "ok") {
    // Under everything else (Leaflet's tile pane); tiles are only asked for inside the archive's bounds and
    // are enlarged past its deepest zoom rather than requested.
    const options = { minZoom: BASE.min_zoom, maxNativeZoom: BASE.max_zoom, maxZoom: Math.max(BASE.max_zoom, 18), keepBuffer: 1, className: "basemap" };
    if (BASE.bounds) options.bounds = L.latLngBounds([BASE.bounds[1], BASE.bounds[0]], [BASE.bounds[3], BASE.bounds[2]]);
    L.tileLayer(BASE.url, options).addTo(map);
    // An intranet service may come in layers (e.g. 天地图's map, then its labels).
    (BASE.extra || []).forEach((u) => L.tileLayer(u, options).addTo(map));
    if (BASE.attribution) L.control.attribution({ prefix: false }).addAttribution(esc(BASE.attribution)).addTo(map);
  }
  L.control.scale({ imperial: false }).addTo(map);
  const outlineLayer = L.layerGroup().addTo(map);
  const positionLayer = L.layerGroup().addTo(map);
  const zoneLayer = L.layerGroup().addTo(map);
  const trackLayer = L.layerGroup().addTo(map);
  let positions = [];
  let focus = null;
  let track = [];
  let cursor = null;
  let timer = null;

  function url(template, id) { return template.replace("/0/", "/" + id + "/"); }
  // Times are shown in the platform's zone (Asia/Shanghai), whatever the browser's zone.
  const FMT = new Intl.DateTimeFormat("en-GB", {
    timeZone: cfg.timeZone, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
  });
  function parts(iso) {
    const out = {};
    FMT.formatToParts(new Date(iso)).forEach((p) => { out[p.type] = p.value; });
    return out;
  }
  function fmtTime(iso) {
    if (!iso) return "—";
    const p = parts(iso);
    return `${p.month}-${p.day} ${p.hour}:${p.minute}`;
  }
  function fmtClock(iso) {
    const p = parts(iso);
    return `${p.hour}:${p.minute}:${p.second}`;
  }
  function esc(text) {
    const div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }
  function getJSON(u) {
    return fetch(u, { credentials: "same-origin", headers: { Accept: "application/json" } }).then((r) => {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    });
  }

  // --- county outlines ---------------------------------------------------------------------------
  getJSON(cfg.urls.boundaries).then((fc) => {
    // On a base map the outline is a line with a faint fill (roads and villages stay readable under it).
    const fillOpacity = BASE.state === "ok" ? 0.04 : 0.55;
    const layer = L.geoJSON(fc, { style: { color: "#1f6fd1", weight: 2, fillColor: "#ffffff", fillOpacity: fillOpacity } });
    layer.eachLayer((l) => l.bindTooltip(l.feature.properties.name, { sticky: true }));
    outlineLayer.addLayer(layer);
    if (fc.features.length && !focus) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
  });

  // --- latest positions ----------------------------------------------------------------------------
  function popup(p) {
    const alerts = p.alerts.length ? `<tr><td>${T.alerts}</td><td class="danger">${p.alerts.map((a) => esc(T.types[a] || a)).join("、")}</td></tr>` : "";
    const battery = p.battery == null ? "—" : Math.round(p.battery * 100) + "%";
    return `<div class="loc-popup"><strong>${esc(p.name)}</strong> <span class="muted">${esc(p.case_number)}</span>
      <table><tr><td>${T.squadron}</td><td>${esc(p.squadron)}</td></tr>
      <tr><td>${T.state}</td><td>${esc(p.state_label)}${p.cause ? "（" + esc(p.cause) + "）" : ""}</td></tr>
      <tr><td>${T.fix_time}</td><td>${fmtTime(p.fix_time)}</td></tr>
      <tr><td>${T.last_seen}</td><td>${fmtTime(p.last_seen_at)}</td></tr>
      <tr><td>${T.accuracy}</td><td>${p.accuracy == null ? "—" : Math.round(p.accuracy) + " m"}</td></tr>
      <tr><td>${T.battery}</td><td>${battery}</td></tr>${alerts}</table>
      <a href="#" data-track="${p.person_id}">${T.show_track}</a> · <a href="${url(cfg.urls.devices, p.person_id)}">${T.devices}</a>
      ${p.alerts.length ? ` · <a href="${cfg.urls.alerts}?person=${p.person_id}">${T.alerts}</a>` : ""}</div>`;
  }

  function drawPositions() {
    positionLayer.clearLayers();
    const counts = { alert: 0 };
    positions.forEach((p) => {
      counts[p.state] = (counts[p.state] || 0) + 1;
      if (p.alerts.length) counts.alert += 1;
      const marker = L.circleMarker([p.lat, p.lon], {
        radius: p.alerts.length ? 8 : 6,
        color: p.alerts.length ? "#d63b3b" : "#ffffff",
        weight: p.alerts.length ? 3 : 1.5,
        fillColor: COLORS[p.state] || "#9aa1ab",
        fillOpacity: focus && focus.id !== p.person_id ? 0.35 : 0.95,
      });
      marker.bindPopup(popup(p));
      marker.bindTooltip(p.name, { direction: "top", offset: [0, -6] });
      positionLayer.addLayer(marker);
    });
    document.querySelectorAll("#legend .n").forEach((el) => { el.textContent = counts[el.dataset.state] || 0; });
    drawList();
  }

  function drawList() {
    const filter = document.getElementById("filter").value.trim();
    const list = document.getElementById("person-list");
    list.innerHTML = "";
    positions
      .filter((p) => !filter || p.name.includes(filter) || p.case_number.includes(filter))
      .sort((a, b) => (b.alerts.length - a.alerts.length) || ((ORDER[a.state] ?? 9) - (ORDER[b.state] ?? 9)) || a.name.localeCompare(b.name, "zh"))
      .slice(0, 400)
      .forEach((p) => {
        const li = document.createElement("li");
        li.className = focus && focus.id === p.person_id ? "active" : "";
        li.innerHTML = `<span><i class="dot dot-${p.state}"></i>${esc(p.name)}${p.alerts.length ? ' <span class="tag tag-danger">' + esc(T.types[p.alerts[0]] || p.alerts[0]) + "</span>" : ""}</span><span class="meta">${fmtTime(p.last_seen_at)}</span>`;
        li.addEventListener("click", () => {
          map.setView([p.lat, p.lon], Math.max(map.getZoom(), 13));
          selectPerson(p.person_id, p.name);
        });
        list.appendChild(li);
      });
  }

  function loadPositions() {
    getJSON(cfg.urls.positions).then((data) => {
      positions = data.positions;
      drawPositions();
      document.getElementById("updated").textContent = T.updated + " " + fmtTime(data.generated_at);
    });
  }

  // --- a person's zones and track with playback --------------------------------------------------
  const ZONE_STYLE = {
    area: { color: "#2c9a4b", weight: 2, dashArray: "6 4", fillOpacity: 0.03 },
    trip: { color: "#1f6fd1", weight: 2, dashArray: "4 4", fillOpacity: 0.06 },
    forbidden: { color: "#d63b3b", weight: 2, fillColor: "#d63b3b", fillOpacity: 0.18 },
  };

  function selectPerson(id, name) {
    focus = { id: id, name: name };
    document.getElementById("track-panel").hidden = false;
    document.getElementById("track-name").textContent = name;
    document.getElementById("track-devices").href = url(cfg.urls.devices, id);
    document.getElementById("track-zones").href = url(cfg.urls.personZones, id);
    zoneLayer.clearLayers();
    getJSON(url(cfg.urls.zones, id)).then((fc) => {
      L.geoJSON(fc, {
        style: (f) => ZONE_STYLE[f.properties.kind] || ZONE_STYLE.area,
        onEachFeature: (f, l) => l.bindTooltip(esc(f.properties.name), { sticky: true }),
      }).addTo(zoneLayer);
    });
    loadTrack();
    drawPositions();
  }

  function loadTrack() {
    stop();
    trackLayer.clearLayers();
    track = [];
    cursor = null;
    const day = document.getElementById("track-date").value;
    getJSON(url(cfg.urls.track, focus.id) + "?date=" + encodeURIComponent(day)).then((data) => {
      track = data.fixes;
      document.getElementById("track-count").textContent = track.length ? `${track.length} ${T.fixes}` : T.no_fixes;
      const scrub = document.getElementById("scrub");
      scrub.max = Math.max(0, track.length - 1);
      scrub.value = 0;
      if (!track.length) { document.getElementById("track-now").textContent = ""; return; }
      const latlngs = track.map((f) => [f.lat, f.lon]);
      const line = L.polyline(latlngs, { color: "#1f6fd1", weight: 3, opacity: 0.7 }).addTo(trackLayer);
      track.forEach((f) => {
        let color = "#1f6fd1";
        if (f.flags & FLAG.OUTSIDE) color = "#d63b3b";
        if (f.flags & FLAG.FORBIDDEN) color = "#8e24aa";
        if (f.flags & FLAG.MOCK) color = "#000000";
        const dot = L.circleMarker([f.lat, f.lon], { radius: 3, color: color, weight: 1, fillColor: color, fillOpacity: 0.9 });
        dot.bindTooltip(fmtClock(f.t) + (f.acc != null ? " ±" + Math.round(f.acc) + " m" : ""));
        trackLayer.addLayer(dot);
        if (f.acc != null && f.acc > 50 && (f.flags & (FLAG.OUTSIDE | FLAG.FORBIDDEN))) {
          trackLayer.addLayer(L.circle([f.lat, f.lon], { radius: f.acc, color: color, weight: 1, fillOpacity: 0.05 }));
        }
      });
      cursor = L.circleMarker(latlngs[0], { radius: 9, color: "#111", weight: 2, fillColor: "#ffd54f", fillOpacity: 1 }).addTo(trackLayer);
      map.fitBounds(line.getBounds(), { padding: [30, 30], maxZoom: 15 });
      showAt(0);
    });
  }

  function showAt(i) {
    if (!track.length) return;
    i = Math.max(0, Math.min(track.length - 1, i));
    const f = track[i];
    cursor.setLatLng([f.lat, f.lon]);
    document.getElementById("scrub").value = i;
    const flags = [];
    if (f.flags & FLAG.OUTSIDE) flags.push(T.outside);
    if (f.flags & FLAG.FORBIDDEN) flags.push(T.forbidden);
    if (f.flags & FLAG.MOCK) flags.push(T.mock);
    if (f.flags & FLAG.APPROX) flags.push(T.approximate);
    document.getElementById("track-now").textContent = `${fmtClock(f.t)}  (${i + 1}/${track.length})`;
    document.getElementById("track-info").textContent = [
      f.acc != null ? `±${Math.round(f.acc)} m` : "",
      f.speed != null ? `${(f.speed * 3.6).toFixed(1)} km/h` : "",
      f.battery != null ? `${T.battery} ${Math.round(f.battery * 100)}%` : "",
      flags.join("、"),
    ].filter(Boolean).join(" · ");
  }

  function stop() {
    if (timer) { clearInterval(timer); timer = null; }
    document.getElementById("play").textContent = T.play;
  }

  document.getElementById("play").addEventListener("click", () => {
    if (timer) { stop(); return; }
    if (!track.length) return;
    const scrub = document.getElementById("scrub");
    if (Number(scrub.value) >= track.length - 1) scrub.value = 0;
    document.getElementById("play").textContent = T.pause;
    timer = setInterval(() => {
      const speed = Number(document.getElementById("speed").value);
      const next = Math.min(track.length - 1, Number(scrub.value) + Math.max(1, Math.round(speed / 4)));
      showAt(next);
      if (next >= track.length - 1) stop();
    }, 250);
  });
  document.getElementById("scrub").addEventListener("input", (e) => { stop(); showAt(Number(e.target.value)); });
  document.getElementById("track-date").addEventListener("change", () => { if (focus) loadTrack(); });
  document.getElementById("track-close").addEventListener("click", (e) => {
    e.preventDefault();
    stop();
    focus = null;
    zoneLayer.clearLayers();
    trackLayer.clearLayers();
    document.getElementById("track-panel").hidden = true;
    drawPositions();
  });
  document.getElementById("filter").addEventListener("input", drawList);
  map.on("popupopen", (e) => {
    const link = e.popup.getElement().querySelector("[data-track]");
    if (link) link.addEventListener("click", (ev) => {
      ev.preventDefault();
      const p = positions.find((x) => x.person_id === Number(link.dataset.track));
      map.closePopup();
      selectPerson(Number(link.dataset.track), p ? p.name : "");
    });
  });

  loadPositions();
  setInterval(loadPositions, 60000);
  if (cfg.focus) selectPerson(cfg.focus.id, cfg.focus.name);
})();
