{% autoescape off %}// 善治 · 上报事件 service worker (served by shanzhi.events.offline.report_service_worker, version {{ version }}).
// Keeps the report page and its static files so the page opens with no network once visited (G3 step 1).
// The page is network-first (a fresh copy replaces the kept one), static files cache-first (their names carry
// a content hash in production). Posts are never touched: the page's outbox (events/report.js) queues them.
"use strict";
var VERSION = "{{ version }}";
var CACHE = "shanzhi-report-" + VERSION;
var PAGE = {{ page_url }};
var STATIC_PREFIX = {{ static_prefix }};
var SHELL = {{ shell_assets }};
var SLOW_MS = 6000;
var OFFLINE_TITLE = {{ offline_title }};
var OFFLINE_TEXT = {{ offline_text }};

function keepPage(cache, request, response) {
  // Only a real page for this user: not a redirect to the login page, not an error page.
  if (response && response.ok && !response.redirected && response.type === "basic") {
    return cache.put(request, response.clone());
  }
  return Promise.resolve();
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(SHELL).then(function () {
      return fetch(PAGE, {credentials: "same-origin", cache: "no-store"})
        .then(function (response) { return keepPage(cache, PAGE, response); })
        .catch(function () { /* kept on the next visit */ });
    });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("shanzhi-report-") === 0 && n !== CACHE; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

function offlinePage() {
  var html = "<!doctype html><meta charset=utf-8><meta name=viewport content='width=device-width, initial-scale=1'>" +
    "<title>" + OFFLINE_TITLE + "</title><p style='font:16px sans-serif;margin:2rem'>" + OFFLINE_TEXT + "</p>";
  return new Response(html, {status: 503, headers: {"Content-Type": "text/html; charset=utf-8"}});
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === PAGE) {
    var opened = caches.open(CACHE);
    var network = fetch(request).then(function (response) {
      return opened.then(function (cache) { return keepPage(cache, request, response); })
        .then(function () { return response; });
    });
    event.waitUntil(network.catch(function () {}));
    var kept = function () {
      return opened.then(function (cache) {
        return cache.match(request, {ignoreVary: true}).then(function (hit) {
          return hit || cache.match(PAGE, {ignoreVary: true});
        });
      });
    };
    // One bar of signal: after a few seconds without an answer open the kept page (the network's answer still
    // replaces it for the next time); no network at all: the kept page at once.
    event.respondWith(new Promise(function (resolve) {
      var settled = false;
      var done = function (response) { if (response && !settled) { settled = true; resolve(response); } };
      network.then(done, function () { kept().then(function (hit) { done(hit || offlinePage()); }); });
      setTimeout(function () { kept().then(done); }, SLOW_MS);
    }));
    return;
  }
  if (url.pathname.indexOf(STATIC_PREFIX) === 0) {
    event.respondWith(caches.open(CACHE).then(function (cache) {
      return cache.match(request, {ignoreVary: true}).then(function (hit) {
        return hit || fetch(request).then(function (response) {
          if (response.ok && response.type === "basic") cache.put(request, response.clone());
          return response;
        });
      });
    }));
  }
});
{% endautoescape %}
