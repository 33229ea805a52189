/* Maps on Leaflet (vendored): a pin picker on the report form, and maps of reports (public map,
   console). No inline script: configuration comes from the #map-config JSON element, messages from
   data- attributes. Without JavaScript none of this runs and the pickers and fields still work.
   The report form loads Leaflet (~150 KB) only when the citizen opens the map: the form itself
   stays light on a slow connection. */
(function () {
  "use strict";
  var configEl = document.getElementById("map-config");
  if (!configEl) return;
  var config = JSON.parse(configEl.textContent);

  function withLeaflet(done) {
    if (window.L) { done(); return; }
    var css = document.createElement("link");
    css.rel = "stylesheet"; css.href = config.leaflet_css;
    document.head.appendChild(css);
    var js = document.createElement("script");
    js.src = config.leaflet_js;
    js.onload = done;
    document.head.appendChild(js);
  }

  function area() {
    var b = config.bounds; // [south, west, north, east]
    return L.latLngBounds([b[0], b[1]], [b[2], b[3]]);
  }

  function baseMap(el) {
    el.hidden = false;
    var bounds = area();
    var map = L.map(el, { scrollWheelZoom: false, maxBounds: bounds.pad(0.5) });
    L.tileLayer(config.tiles, { attribution: config.attribution, maxZoom: 19 }).addTo(map);
    map.fitBounds(bounds);
    return map;
  }

  /* The report form: tap the map to set the pin; the pin fills latitude/longitude, typing them (or
     "gunakan lokasi saya") moves the pin. A pin outside the kabupaten is refused here and by the server. */
  function picker(el) {
    var form = el.closest("form");
    var latF = form.elements.latitude, lngF = form.elements.longitude;
    var status = document.getElementById("pin-status");
    var map = baseMap(el), marker = null, bounds = area();
    var say = function (text) { if (status) status.textContent = text; };
    var fromFields = function (pan) {
      var lat = parseFloat(latF.value), lng = parseFloat(lngF.value);
      if (isNaN(lat) || isNaN(lng)) return;
      if (!bounds.contains([lat, lng])) { say(el.dataset.msgOutside); return; }
      if (marker) marker.setLatLng([lat, lng]); else marker = L.marker([lat, lng], { keyboard: false }).addTo(map);
      if (pan) map.setView([lat, lng], Math.max(map.getZoom(), 15));
      say(el.dataset.msgSet);
      form.dispatchEvent(new CustomEvent("aduan:pin", { detail: { lat: lat, lng: lng } }));
    };
    map.on("click", function (e) {
      if (!bounds.contains(e.latlng)) { say(el.dataset.msgOutside); return; }
      latF.value = e.latlng.lat.toFixed(6);
      lngF.value = e.latlng.lng.toFixed(6);
      fromFields(false);
    });
    latF.addEventListener("change", function () { fromFields(true); });
    lngF.addEventListener("change", function () { fromFields(true); });
    fromFields(true);
  }

  /* Maps of reports: the points come in a JSON element named by data-points; each is already as
     the viewer may see it (an anonymous report's grid cell, never its pin: location_for). */
  function reportsMap(el) {
    var pointsEl = document.getElementById(el.dataset.points);
    var points = pointsEl ? JSON.parse(pointsEl.textContent) : [];
    var map = baseMap(el), shown = [];
    points.forEach(function (p) {
      var mark = p.exact ? L.marker([p.lat, p.lng]) : L.circle([p.lat, p.lng], { radius: 250, color: "#b45309" });
      var box = document.createElement("div"), link = document.createElement("a");
      link.href = p.url; link.textContent = p.title;
      box.appendChild(link);
      if (p.note) { var note = document.createElement("div"); note.textContent = p.note; box.appendChild(note); }
      mark.bindPopup(box).addTo(map);
      shown.push([p.lat, p.lng]);
    });
    if (shown.length === 1) map.setView(shown[0], 16);
    else if (shown.length > 1) map.fitBounds(L.latLngBounds(shown).pad(0.2));
  }

  var pin = document.getElementById("pin-map"), open = document.getElementById("show-map");
  if (pin && open) {
    open.hidden = false;
    open.addEventListener("click", function () {
      open.disabled = true;
      withLeaflet(function () { open.hidden = true; picker(pin); });
    });
  }
  var maps = document.querySelectorAll(".reports-map");
  if (maps.length) withLeaflet(function () { Array.prototype.forEach.call(maps, reportsMap); });
  /* The console queue swaps its results (and their map) in place when filtered or paged. */
  document.body.addEventListener("htmx:afterSwap", function (e) {
    var swapped = e.detail && e.detail.target ? e.detail.target.querySelectorAll(".reports-map") : [];
    if (swapped.length) withLeaflet(function () { Array.prototype.forEach.call(swapped, reportsMap); });
  });
})();
