/* The session log form: a new id for each filling-in (kept as the log's id, so a log sent twice — by a
   double tap, or again from the phone's offline store — is saved once), the timer's minutes and early stop
   filled in (session_timer.js opens this page with ?from=timer&minutes=N[&stopped=1]), and the stop rules
   shown while "stopped early" is ticked. */
"use strict";
(function () {
  const form = document.querySelector("form[data-session-log]");
  if (!form) return;
  const stopped = form.elements.namedItem("stopped_early");
  const rules = document.querySelector("[data-stop-rules]");
  if (form.hasAttribute("data-fresh")) {
    // A page kept for offline use is the same page every time: each filling-in needs its own id.
    const submission = form.elements.namedItem("submission");
    if (submission && self.crypto && crypto.randomUUID) submission.value = crypto.randomUUID();
    const query = new URLSearchParams(window.location.search);
    if (query.get("from") === "timer") {
      const minutes = Number.parseInt(query.get("minutes"), 10);
      const field = form.elements.namedItem("minutes");
      if (field && Number.isInteger(minutes) && minutes >= 0 && minutes <= 60) {
        field.value = String(minutes);
        const note = document.querySelector("[data-from-timer]");
        note.textContent = note.dataset.words.replace("%s", String(minutes));
        note.hidden = false;
      }
      if (stopped && query.get("stopped") === "1") stopped.checked = true;
    }
  }
  if (stopped && rules) {
    const showRules = () => { rules.hidden = !stopped.checked; };
    stopped.addEventListener("change", showRules);
    showRules();
  }
})();
