// Live outcome on the screening form: posts the form to the preview URL (which
// saves nothing) and swaps in the returned outcome panel. Without JavaScript
// the "Check outcome" button does the same with a full page.
(function () {
  "use strict";
  var form = document.getElementById("screening-form");
  if (!form || !window.fetch) { return; }
  var timer = null;
  function refresh() {
    var data = new FormData(form);
    data.delete("action");
    fetch(form.dataset.previewUrl, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var current = document.getElementById("screening-outcome");
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#screening-outcome");
        if (current && fresh) { current.replaceWith(fresh); }
      })
      .catch(function () { /* the Check outcome button still works */ });
  }
  function schedule() { window.clearTimeout(timer); timer = window.setTimeout(refresh, 350); }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
})();
