/* The patient's pages without a connection (retrowalk.offline): the service worker, the logs kept on the
   phone and their sending, and forgetting everything when the patient signs out or another person signs in.

   Loaded on every signed-in page; its <script> element says whose pages these are (data-owner: an opaque
   name for a patient, empty for anyone else). Only a patient's device registers the service worker. */
"use strict";
(function () {
  const script = document.currentScript;
  const owner = script.dataset.owner || "";
  const OWNER_KEY = "retrowalk-offline-owner";
  const PAGES = "rw-pages";
  const queue = self.RetrowalkQueue;
  const panel = document.querySelector("[data-offline-queue]");
  const banner = document.querySelector("[data-offline-banner]");
  const lang = document.documentElement.lang || "en";
  const plural = new Intl.PluralRules(lang);
  const when = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  const day = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeZone: "UTC" });

  async function forgetEverything() {
    // The worker first, so that pages it is still fetching for the person before are not kept after.
    const worker = "serviceWorker" in navigator && navigator.serviceWorker.controller;
    if (worker) worker.postMessage({ type: "forget" });
    if ("caches" in self) await caches.delete(PAGES);
    if (queue) await queue.clear();
  }

  // Another person signed in on this device: the pages and logs kept for the one before are deleted.
  async function checkOwner() {
    let previous = null;
    try { previous = localStorage.getItem(OWNER_KEY); } catch (blocked) { /* private mode */ }
    if (previous !== owner) {
      await forgetEverything();
      try { localStorage.setItem(OWNER_KEY, owner); } catch (blocked) { /* private mode */ }
    }
  }

  async function keepPages() {
    if (!owner || !("serviceWorker" in navigator)) return;
    await navigator.serviceWorker.register(script.dataset.worker, { scope: "/" });
    const ready = await navigator.serviceWorker.ready;
    const urls = [window.location.pathname, ...[...document.querySelectorAll("a[data-offline-keep]")].map((a) => a.pathname)];
    if (navigator.onLine && ready.active) ready.active.postMessage({ type: "keep", urls: [...new Set(urls)] });
  }

  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  let sending = null;
  let signedOut = false;

  // Send every waiting log once; the server answers saved, already saved, or refused with the reasons.
  async function sendWaiting() {
    if (!owner || !queue || !navigator.onLine) return;
    for (const entry of await queue.all()) {
      if (entry.state !== "waiting") continue;
      const body = new FormData();
      Object.entries(entry.fields).forEach(([name, value]) => body.append(name, value));
      body.append("csrfmiddlewaretoken", csrfToken());
      let response;
      try {
        response = await fetch(entry.url + "sync/", {
          method: "POST", body, credentials: "same-origin", redirect: "manual",
          headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
        });
      } catch (offline) {
        return; // the connection went again: next time
      }
      if (response.type === "opaqueredirect" || response.status === 403) {
        signedOut = true; // sent to the sign-in page: sent after the patient signs in again
        return;
      }
      let answer = {};
      try { answer = await response.json(); } catch (notJson) { return; }
      if (answer.result === "saved" || answer.result === "already_saved") {
        Object.assign(entry, { state: "sent", sentAt: new Date().toISOString(), message: answer.message });
      } else if (answer.result === "refused") {
        Object.assign(entry, { state: "refused", refusedAt: new Date().toISOString(), reasons: answer.reasons || [] });
      } else {
        return;
      }
      await queue.update(entry);
    }
  }

  async function send() {
    sending = sending || sendWaiting().finally(() => { sending = null; });
    await sending;
    await show();
  }

  function words(name, count) {
    const text = panel.dataset[name + (plural.select(count) === "one" ? "One" : "Other")] || panel.dataset[name + "Other"];
    return text.replace("%s", String(count));
  }

  async function show() {
    if (!panel || !queue) return;
    await queue.prune();
    const entries = await queue.all();
    const waiting = entries.filter((entry) => entry.state === "waiting");
    const refused = entries.filter((entry) => entry.state === "refused");
    panel.hidden = entries.length === 0;
    let summary = panel.dataset.noneWaiting;
    if (waiting.length) {
      summary = words("waiting", waiting.length) + (signedOut ? " " + panel.dataset.signIn : navigator.onLine ? "" : " " + panel.dataset.offline);
    } else if (refused.length) {
      summary = words("notSaved", refused.length);
    }
    panel.querySelector("[data-queue-summary]").textContent = summary;
    const list = panel.querySelector("[data-queue-list]");
    const template = panel.querySelector("template");
    list.replaceChildren(...entries.map((entry) => {
      const item = template.content.firstElementChild.cloneNode(true);
      const date = entry.fields.session_date ? day.format(new Date(entry.fields.session_date + "T00:00:00Z")) : "";
      item.dataset.state = entry.state;
      item.querySelector("[data-what]").textContent = panel.dataset.session.replace("%s", date);
      const state = item.querySelector("[data-state-text]");
      const reasons = item.querySelector("[data-reasons]");
      const dismiss = item.querySelector("button");
      if (entry.state === "sent") state.textContent = panel.dataset.sent.replace("%s", when.format(new Date(entry.sentAt)));
      else if (entry.state === "refused") state.textContent = panel.dataset.refused;
      else state.textContent = panel.dataset.keptAt.replace("%s", when.format(new Date(entry.keptAt)));
      if (entry.state === "refused") {
        reasons.replaceChildren(...entry.reasons.map((reason) => { const li = document.createElement("li"); li.textContent = reason; return li; }));
      } else {
        reasons.remove();
      }
      if (entry.state === "refused") {
        dismiss.addEventListener("click", async () => { await queue.remove(entry.id); await show(); });
      } else {
        dismiss.remove();
      }
      return item;
    }));
  }

  // Offline, a kept page's one-time messages ("Session … logged") belong to the visit that kept it.
  const notices = document.querySelector("main > .messages");
  function showConnection() {
    if (banner) banner.hidden = navigator.onLine;
    if (notices && !navigator.onLine) notices.hidden = true;
  }

  // Signing out deletes what this device kept, after a warning when logs have not been sent.
  document.querySelectorAll("form[data-sign-out]").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const waiting = queue ? (await queue.all()).filter((entry) => entry.state === "waiting").length : 0;
      if (waiting && !window.confirm(words("unsent", waiting))) return;
      await forgetEverything();
      try { localStorage.removeItem(OWNER_KEY); } catch (blocked) { /* private mode */ }
      form.submit();
    });
  });

  window.addEventListener("online", () => { showConnection(); send(); });
  window.addEventListener("offline", () => { showConnection(); show(); });
  showConnection();
  checkOwner().then(() => Promise.all([keepPages(), send()])).catch(() => show());
})();
