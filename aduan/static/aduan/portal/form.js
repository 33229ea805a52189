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

  /* Photos are resized on the phone before they leave it (longest side 2048 px, JPEG 0.8): a 12-megapixel
     photo becomes a few hundred KB, which a slow uplink carries in seconds. Not when the citizen chose to
     share the photo's location (resizing drops the GPS data): then the original goes. */
  var MAX_SIDE = 2048, QUALITY = 0.8, RESIZE_FROM = 1024 * 1024;
  var progress = document.getElementById("upload-progress"), uploadStatus = document.getElementById("upload-status");
  var retry = document.getElementById("upload-retry"), prepared = null;
  function say(text) { if (uploadStatus) uploadStatus.textContent = text; }
  function resize(file) {
    var keep = form.elements.keep_location && form.elements.keep_location.checked;
    if (keep || !/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (img) {
      var scale = Math.min(1, MAX_SIDE / Math.max(img.width, img.height));
      if (scale === 1 && file.size <= RESIZE_FROM) return file;
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(img.width * scale); canvas.height = Math.round(img.height * scale);
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      return new Promise(function (done) {
        canvas.toBlob(function (blob) {
          done(blob && blob.size < file.size ? new File([blob], file.name.replace(/\.[^.]*$/, "") + ".jpg", { type: "image/jpeg" }) : file);
        }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return file; });
  }
  function prepare() {
    var data = new FormData(form), input = form.elements.attachments;
    var files = input ? Array.prototype.slice.call(input.files) : [];
    if (!files.length) return Promise.resolve(data);
    say(form.dataset.msgResizing);
    return Promise.all(files.map(resize)).then(function (ready) {
      data.delete("attachments");
      var limit = parseInt(form.dataset.maxBytes, 10);
      for (var i = 0; i < ready.length; i++) {
        if (limit && ready[i].size > limit) throw new Error(form.dataset.msgTooLarge.replace("%(name)s", ready[i].name));
        data.append("attachments", ready[i], ready[i].name);
      }
      return data;
    });
  }
  function send(data, button) {
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    if (progress) { progress.hidden = false; progress.value = 0; }
    if (retry) retry.hidden = true;
    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable) return;
      var pct = Math.round(100 * e.loaded / e.total);
      if (progress) progress.value = pct;
      say(form.dataset.msgSending.replace("%(pct)s", pct));
    };
    xhr.onload = function () {
      if (xhr.responseURL && xhr.responseURL.split("#")[0] !== new URL(form.action, location.href).href) {
        location.replace(xhr.responseURL); return;
      }
      document.open(); document.write(xhr.responseText); document.close(); window.scrollTo(0, 0);
    };
    xhr.onerror = xhr.ontimeout = function () {
      if (button) { button.disabled = false; button.textContent = button.dataset.label; }
      if (progress) progress.hidden = true;
      if (!navigator.onLine) { keepDraft(); return; }
      say(form.dataset.msgFailed);
      if (retry) { retry.hidden = false; retry.focus(); }
    };
    xhr.send(data);
  }

  if (retry) retry.addEventListener("click", function () {
    var button = form.querySelector("button[type=submit]:not([name])");
    if (button) button.disabled = true;
    if (prepared) send(prepared, button);
  });

  form.addEventListener("submit", function (e) {
    if (e.submitter && e.submitter.name === "reload_desa") return;
    if (!window.FormData || !window.XMLHttpRequest) return;
    e.preventDefault();
    if (!navigator.onLine) { keepDraft(); return; }
    var button = form.querySelector("button[type=submit]:not([name])");
    if (button) { button.disabled = true; button.dataset.label = button.textContent; button.textContent = "Mengirim\u2026"; }
    prepare().then(function (data) { prepared = data; send(data, button); }, function (error) {
      if (button) { button.disabled = false; button.textContent = button.dataset.label; }
      say(error.message);
    });
  });
})();
