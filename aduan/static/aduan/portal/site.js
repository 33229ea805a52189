/* Aduan portal: installable app (service worker) and the offline-draft queue, on every page. */
(function () {
  "use strict";
  var KEY = "aduan:drafts", SENT = "aduan:sent";
  if ("serviceWorker" in navigator) {
    window.addEventListener("load", function () { navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () {}); });
  }
  function read(key) { try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; } }
  function write(key, value) { localStorage.setItem(key, JSON.stringify(value)); }
  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) { try { return crypto.randomUUID(); } catch (e) { /* not a secure context */ } }
    var b = new Uint8Array(16); crypto.getRandomValues(b); b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function el(tag, cls, text) { var n = document.createElement(tag); if (cls) n.className = cls; if (text) n.textContent = text; return n; }
  function box() {
    var b = document.getElementById("draft-status");
    if (!b) { b = el("div", "draft-status"); b.id = "draft-status"; b.setAttribute("role", "status"); var m = document.getElementById("main"); if (m) m.insertBefore(b, m.firstChild); }
    return b;
  }
  function render() {
    var b = box(); b.textContent = "";
    read(SENT).forEach(function (s) {
      var c = el("div", "alert alert-success");
      c.appendChild(el("strong", "", "Draf laporan \u201c" + s.title + "\u201d sudah terkirim."));
      c.appendChild(el("p", "", "Nomor laporan: ")).appendChild(el("span", "big-code sent-number", s.tracking_number));
      c.appendChild(el("p", "", "Kode akses: ")).appendChild(el("span", "big-code sent-code", s.access_code));
      c.appendChild(el("p", "", "Catat keduanya: kode akses diperlukan untuk melacak laporan."));
      var ok = el("button", "btn btn-small", "Sudah saya catat"); ok.type = "button";
      ok.onclick = function () { write(SENT, read(SENT).filter(function (x) { return x.id !== s.id; })); render(); };
      c.appendChild(ok); b.appendChild(c);
    });
    read(KEY).forEach(function (d) {
      var c = el("div", "alert " + (d.error ? "alert-error" : "alert-warning"));
      c.appendChild(el("strong", "", "Draf tersimpan di perangkat: \u201c" + (d.fields.title || "tanpa judul") + "\u201d. "));
      c.appendChild(el("span", "", d.error ? "Belum bisa dikirim: " + d.error : "Akan dikirim otomatis sekali saat koneksi kembali (lampiran tidak ikut tersimpan)."));
      if (window.AduanForm && d.error) {
        var open = el("button", "btn btn-small btn-secondary", "Buka di formulir"); open.type = "button";
        open.onclick = function () { window.AduanForm.fill(d); drafts.remove(d.id); render(); };
        c.appendChild(document.createTextNode(" ")); c.appendChild(open);
      }
      b.appendChild(c);
    });
  }
  var sending = false;
  var drafts = {
    uuid: uuid,
    save: function (id, fields) { var all = read(KEY).filter(function (d) { return d.id !== id; }); all.push({ id: id, fields: fields, saved: Date.now() }); write(KEY, all); render(); },
    remove: function (id) { write(KEY, read(KEY).filter(function (d) { return d.id !== id; })); },
    render: render,
    flush: function () {
      if (sending || !navigator.onLine) return;
      var pending = read(KEY).filter(function (d) { return !d.error; });
      if (!pending.length) return;
      sending = true;
      var url = (document.querySelector("[data-draft-url]") || { dataset: { draftUrl: "/lapor/draf/" } }).dataset.draftUrl;
      var next = function () {
        var d = pending.shift();
        if (!d) { sending = false; render(); return; }
        fetch(url, { method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "Idempotency-Key": d.id, "X-CSRFToken": cookie("csrftoken") },
          body: JSON.stringify(d.fields) })
          .then(function (r) { return r.json().then(function (body) { return { status: r.status, body: body }; }); })
          .then(function (res) {
            if (res.status === 200 || res.status === 201) {
              drafts.remove(d.id);
              var sent = read(SENT).filter(function (s) { return s.id !== d.id; });
              sent.push({ id: d.id, title: d.fields.title || "", tracking_number: res.body.tracking_number, access_code: res.body.access_code });
              write(SENT, sent);
            } else if (res.status === 400 || res.status === 422) {
              var all = read(KEY); all.forEach(function (x) { if (x.id === d.id) { x.error = res.body.title || "isian tidak valid"; x.errors = res.body.errors; } }); write(KEY, all);
            }
            next();
          })
          .catch(function () { sending = false; render(); });
      };
      next();
    }
  };
  window.AduanDrafts = drafts;
  window.addEventListener("online", drafts.flush);
  document.addEventListener("DOMContentLoaded", function () { if (read(KEY).length || read(SENT).length) render(); drafts.flush(); });
})();
