{% autoescape off %}/* retrowalk's service worker: the patient's plan, session timer, treadmill card and log form without a connection.

Served by retrowalk.offline's view at the site's root, so its scope is the whole site. Hand-written: it
does three things (keep the app's files, keep the pages the server marks, queue a session log sent while
offline) and the rules for which page may be kept live on the server (the Retrowalk-Offline header).

- Files (CSS, scripts, icons): kept at install and each time they are fetched; the kept copy answers only
  without a connection, so a new release's files are used at once.
- Pages: always asked of the network first; a page is kept only when its answer carries
  "Retrowalk-Offline: keep" (a patient's own page). Without a connection, the kept page, else the
  offline page. Nothing else is kept, so a clinician's page never is.
- A session log posted without a connection, on a log form this device kept, is kept in IndexedDB
  (offline_queue.js) and the plan opens; the page sends it when the connection returns.
*/
"use strict";
importScripts("{{ queue_script|escapejs }}");

const VERSION = "{{ version|escapejs }}";
const FILES = "rw-files-" + VERSION;
const PAGES = "rw-pages";
const KEEP_HEADER = "{{ keep_header|escapejs }}";
const OFFLINE_PAGE = "{{ offline_url|escapejs }}";
const PLAN_PAGE = "{{ plan_url|escapejs }}";
const STATIC_URL = "{{ static_url|escapejs }}";
const FILE_URLS = [{% for url in files %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];
const LOG_FORM = new RegExp("{{ log_form_pattern|escapejs }}"); // any program's session log form

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(FILES).then((files) => files.addAll([...FILE_URLS, OFFLINE_PAGE])).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith("rw-files-") && name !== FILES).map((name) => caches.delete(name))))
      .then(() => self.clients.claim())
  );
});

function pageKey(url) {
  const address = new URL(url);
  return address.origin + address.pathname;
}

// Counts the times the kept pages were forgotten: an answer asked for before that is not kept after it.
let generation = 0;

async function keep(request, response, asked = generation) {
  if (asked !== generation) return; // another person signed in meanwhile
  const pages = await caches.open(PAGES);
  if (response.ok && !response.redirected && response.headers.get(KEEP_HEADER) === "keep") {
    await pages.put(pageKey(request.url), response);
  } else if (response.status === 403 || response.status === 404) {
    await pages.delete(pageKey(request.url)); // no longer this patient's page
  }
}

async function page(request) {
  const asked = generation;
  try {
    const response = await fetch(request);
    await keep(request, response.clone(), asked);
    return response;
  } catch (offline) {
    const kept = await caches.match(pageKey(request.url), { cacheName: PAGES });
    return kept || (await caches.match(OFFLINE_PAGE, { cacheName: FILES })) || Response.error();
  }
}

async function file(request) {
  try {
    const response = await fetch(request); // through the browser's HTTP cache: a new release's file at once
    if (response.ok && FILE_URLS.includes(new URL(request.url).pathname)) {
      await (await caches.open(FILES)).put(request, response.clone());
    }
    return response;
  } catch (offline) {
    return (await caches.match(request, { cacheName: FILES, ignoreSearch: true })) || Response.error();
  }
}

async function logPost(request) {
  const copy = request.clone();
  try {
    return await fetch(request);
  } catch (offline) {
    // Only a log form this device kept (a patient's own); anyone else's post fails as without a worker.
    if (!(await caches.match(pageKey(request.url), { cacheName: PAGES }))) return Response.error();
    const fields = {};
    for (const [name, value] of (await copy.formData()).entries()) {
      if (name !== "csrfmiddlewaretoken") fields[name] = value;
    }
    if (!fields.submission) return Response.error();
    await RetrowalkQueue.add({ id: fields.submission, url: new URL(request.url).pathname, fields });
    return Response.redirect(PLAN_PAGE + "?kept=" + encodeURIComponent(fields.submission), 303);
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && request.mode === "navigate" && LOG_FORM.test(url.pathname)) {
    event.respondWith(logPost(request));
  } else if (request.method !== "GET") {
    return;
  } else if (url.pathname.startsWith(STATIC_URL)) {
    event.respondWith(file(request));
  } else if (request.mode === "navigate") {
    event.respondWith(page(request));
  }
});

// The page asks: keep these pages (the plan links to them), or forget every kept page (another person).
self.addEventListener("message", (event) => {
  const message = event.data || {};
  if (message.type === "keep" && Array.isArray(message.urls)) {
    const asked = generation;
    event.waitUntil(Promise.all(message.urls.map((url) => {
      const request = new Request(new URL(url, self.location.origin), { credentials: "same-origin" });
      if (new URL(request.url).origin !== self.location.origin) return null;
      return fetch(request).then((response) => keep(request, response, asked)).catch(() => null);
    })));
  } else if (message.type === "forget") {
    generation += 1;
    event.waitUntil(caches.delete(PAGES));
  }
});
{% endautoescape %}
