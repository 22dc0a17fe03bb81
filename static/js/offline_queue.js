/* Session logs kept on the device until the server has them (IndexedDB), for the service worker and the pages.

Each entry is one filled-in log form, named by the id made on the device (the form's "submission" field),
which the server keeps as the log's public id: sending it twice saves it once.
States: "waiting" (not yet sent), "refused" (the server said why; shown until the patient dismisses it),
"sent" (kept a week to say when it went).
*/
"use strict";
(function (scope) {
  const DATABASE = "retrowalk";
  const STORE = "session-logs";
  const SENT_KEPT_MS = 7 * 24 * 60 * 60 * 1000;

  function open() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DATABASE, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "id" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function run(mode, work) {
    const db = await open();
    try {
      return await new Promise((resolve, reject) => {
        const transaction = db.transaction(STORE, mode);
        const result = work(transaction.objectStore(STORE));
        transaction.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
        transaction.onerror = () => reject(transaction.error);
        transaction.onabort = () => reject(transaction.error);
      });
    } finally {
      db.close();
    }
  }

  scope.RetrowalkQueue = {
    add(entry) {
      const kept = { state: "waiting", keptAt: new Date().toISOString(), ...entry };
      return run("readwrite", (store) => store.put(kept));
    },
    async all() {
      const entries = (await run("readonly", (store) => store.getAll())) || [];
      return entries.sort((a, b) => (a.keptAt < b.keptAt ? -1 : 1));
    },
    update(entry) {
      return run("readwrite", (store) => store.put(entry));
    },
    remove(id) {
      return run("readwrite", (store) => store.delete(id));
    },
    clear() {
      return run("readwrite", (store) => store.clear());
    },
    async prune() {
      const now = Date.now();
      for (const entry of await this.all()) {
        if (entry.state === "sent" && now - Date.parse(entry.sentAt) > SENT_KEPT_MS) await this.remove(entry.id);
      }
    },
  };
})(self);
