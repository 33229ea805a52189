/* Aduan service worker (served at /sw.js so that its scope is the whole site). Version {{ version }}. */
"use strict";
var CACHE = "aduan-{{ version }}";
var PAGES = {{ pages_json|safe }};
var ASSETS = {{ assets_json|safe }};
var OFFLINE = "{{ offline_url|escapejs }}";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.addAll(ASSETS.concat(PAGES)); }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) { return k.indexOf("aduan-") === 0 && k !== CACHE; }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;  // form posts and drafts always go to the network
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    if (PAGES.indexOf(url.pathname) === -1) {
      event.respondWith(fetch(request).catch(function () { return caches.match(OFFLINE); }));
      return;
    }
    // The shell pages: fresh from the network when possible, the kept copy when offline.
    event.respondWith(fetch(request).then(function (response) {
      if (response.ok && !url.search) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(url.pathname, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(url.pathname).then(function (hit) { return hit || caches.match(OFFLINE); });
    }));
    return;
  }
  if (ASSETS.indexOf(url.pathname) !== -1) {
    event.respondWith(caches.match(url.pathname).then(function (hit) { return hit || fetch(request); }));
  }
});
