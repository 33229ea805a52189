/* The report form: desa picker, "gunakan lokasi saya", and sending (or keeping a draft when offline). */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var TEXT = ["kind", "title", "description", "incident_date", "kecamatan", "desa", "address", "latitude", "longitude",
    "category", "name", "phone", "email"], CHECKS = ["anonymous", "confidential", "consent"];
  var drafts = window.AduanDrafts;
  var summary = document.getElementById("form-errors");
  if (summary) summary.focus();
  var idField = form.elements.client_id;
  if (!idField.value && drafts) idField.value = drafts.uuid();

  var kec = form.elements.kecamatan, desa = form.elements.desa;
  function loadDesa(selected) {
    if (!kec.value) { desa.innerHTML = ""; return; }
    fetch(form.dataset.desaUrl + "?kecamatan=" + encodeURIComponent(kec.value))
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r); })
      .then(function (html) { desa.innerHTML = html; if (selected) desa.value = selected; refreshNearby(); })
      .catch(function () {});
  }
  kec.addEventListener("change", function () { loadDesa(""); });

  // "Sudah ada laporan serupa di dekat sini?": open public reports in the desa or near the pin.
  var nearby = document.getElementById("nearby"), nearbyQuery = "";
  function refreshNearby() {
    if (!nearby) return;
    var q = new URLSearchParams();
    if (desa.value) q.set("desa", desa.value);
    if (form.elements.latitude.value && form.elements.longitude.value) {
      q.set("lat", form.elements.latitude.value); q.set("lon", form.elements.longitude.value);
    }
    if (form.elements.category && form.elements.category.value) q.set("kategori", form.elements.category.value);
    if (!q.has("desa") && !q.has("lat")) { nearby.innerHTML = ""; nearbyQuery = ""; return; }
    if (q.toString() === nearbyQuery) return;
    nearbyQuery = q.toString();
    fetch(nearby.dataset.url + "?" + nearbyQuery)
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r); })
      .then(function (html) { nearby.innerHTML = html; })
      .catch(function () {});
  }
  desa.addEventListener("change", refreshNearby);
  if (form.elements.category) form.elements.category.addEventListener("change", refreshNearby);
  form.elements.longitude.addEventListener("change", refreshNearby);
  // A pin on the map (map.js) fills kecamatan and desa where the installation has boundaries.
  form.addEventListener("aduan:pin", function (e) {
    refreshNearby();
    fetch(form.dataset.regionUrl + "?lat=" + e.detail.lat + "&lon=" + e.detail.lng)
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r); })
      .then(function (found) {
        if (!found.kecamatan) return;
        kec.value = found.kecamatan;
        loadDesa(found.desa || "");
        var status = document.getElementById("pin-status");
        if (status && found.label) status.textContent += " " + found.label + ".";
      })
      .catch(function () {});
  });

  var geoBtn = document.getElementById("use-location"), geoStatus = document.getElementById("geo-status");
  if (geoBtn && "geolocation" in navigator) {
    geoBtn.hidden = false;
    geoBtn.addEventListener("click", function () {
      geoStatus.textContent = "Mencari lokasi\u2026";
      navigator.geolocation.getCurrentPosition(function (p) {
        form.elements.latitude.value = p.coords.latitude.toFixed(6);
        form.elements.longitude.value = p.coords.longitude.toFixed(6);
        // The map (map.js), if any, moves its pin there.
        form.elements.longitude.dispatchEvent(new Event("change"));
        geoStatus.textContent = "Lokasi terisi (ketelitian \u00b1" + Math.round(p.coords.accuracy) + " m).";
      }, function () { geoStatus.textContent = "Lokasi tidak dapat diambil. Izinkan akses lokasi atau isi sendiri."; },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  function fields() {
    var out = {};
    TEXT.forEach(function (n) { var f = form.elements[n]; if (f) out[n] = f.value || ""; });
    CHECKS.forEach(function (n) { var f = form.elements[n]; out[n] = !!(f && f.checked); });
    return out;
  }
  function fill(d) {
    TEXT.forEach(function (n) {
      var f = form.elements[n], v = d.fields[n] || "";
      if (!f) return;
      if (n === "desa" && v && !Array.prototype.some.call(f.options, function (o) { return o.value === v; })) {
        var o = document.createElement("option"); o.value = v; o.textContent = v; f.appendChild(o);
      }
      f.value = v;
    });
    CHECKS.forEach(function (n) { if (form.elements[n]) form.elements[n].checked = !!d.fields[n]; });
    idField.value = d.id;
    form.scrollIntoView();
  }
  window.AduanForm = { fill: fill };
  if (drafts) drafts.render();

  function keepDraft() {
    if (!drafts) return false;
    var hasFiles = form.elements.attachments && form.elements.attachments.files.length;
    drafts.save(idField.value, fields());
    form.reset();
    idField.value = drafts.uuid();
    var b = document.getElementById("draft-status");
    if (b) {
      var note = document.createElement("div"); note.className = "alert alert-info";
      note.textContent = "Tidak ada koneksi. Laporan disimpan sebagai draf di perangkat ini dan akan dikirim sekali secara otomatis saat koneksi kembali." +
        (hasFiles ? " Lampiran tidak dapat disimpan di draf: kirim lagi fotonya lewat formulir baru bila perlu." : "");
      b.insertBefore(note, b.firstChild); b.scrollIntoView();
    }
    return true;
  }

  form.addEventListener("submit", function (e) {
    if (e.submitter && e.submitter.name === "reload_desa") return;
    if (!window.fetch || !window.FormData) return;
    e.preventDefault();
    if (!navigator.onLine) { keepDraft(); return; }
    var button = form.querySelector("button[type=submit]:not([name])");
    if (button) { button.disabled = true; button.dataset.label = button.textContent; button.textContent = "Mengirim\u2026"; }
    fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
      .then(function (r) {
        if (r.redirected) { location.replace(r.url); return; }
        return r.text().then(function (html) { document.open(); document.write(html); document.close(); window.scrollTo(0, 0); });
      })
      .catch(function () {
        if (button) { button.disabled = false; button.textContent = button.dataset.label; }
        keepDraft();
      });
  });
})();
