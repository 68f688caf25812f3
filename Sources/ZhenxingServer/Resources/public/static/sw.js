// Zhenxing's service worker: the style sheet and script from the cache, and the pages field work needs — "my work",
// the household files and the issue form — from the network while there is one, else as they were last opened on this
// phone (app.js also fetches the ones "my work" lists, so they are there before the first trip without a network).
// Nothing is written here: forms sent offline wait in IndexedDB (app.js) until the network is back.
// Signing out sends Clear-Site-Data: "cache", which empties these copies.
const CACHE = "zhenxing-pages-v3";
const STATIC = ["/static/app.css", "/static/app.js", "/static/favicon.svg"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(STATIC)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()));
});

// "My work", the household files with their edit forms and the issue form (its copy for a household, or the blank one) are kept.
const fieldPage = (url) => url.pathname === "/my" || /^\/households\/\d+(\/edit)?$/.test(url.pathname) || /^\/divisions\/\d+\/issues\/new$/.test(url.pathname);
const keptSearch = (url) => !url.search || (url.pathname.endsWith("/issues/new") && /^\?household=\d+$/.test(url.search));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (STATIC.includes(url.pathname)) {
    event.respondWith(caches.match(request).then((kept) => kept || fetch(request)));
  } else if (fieldPage(url) && keptSearch(url)) {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok && !response.redirected) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(request, copy));
          }
          return response;
        })
        .catch(() => caches.match(request)
          .then((kept) => kept || (url.search ? caches.match(url.origin + url.pathname) : undefined))
          .then((kept) => kept || Response.error())));
  }
});
