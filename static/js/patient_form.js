// Show only the details that apply to the chosen condition. Without JavaScript
// every field stays visible and the server ignores the ones that do not apply.
(function () {
  "use strict";
  var select = document.getElementById("id_condition");
  if (!select) { return; }
  var sideLabels = JSON.parse(document.getElementById("side-labels").textContent);
  var sideLabel = document.querySelector("label[for='id_affected_side']");
  var hint = document.getElementById("condition-fields-hint");

  function update() {
    var code = select.value;
    document.querySelectorAll(".condition-field").forEach(function (block) {
      var codes = (block.dataset.conditions || "").split(" ");
      var applies = codes.indexOf(code) !== -1 || (block.querySelector("#id_affected_side") && code !== "");
      block.hidden = !applies;
      block.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.disabled = !applies;
      });
    });
    if (sideLabel) { sideLabel.firstChild.textContent = sideLabels[code] || sideLabels[""]; }
    if (hint) { hint.hidden = code !== ""; }
  }
  select.addEventListener("change", update);
  update();
})();
