// "Log an interaction": under the kind, what saving it will schedule, following the
// chosen kind and direction (the texts come from the page, see followups/quicklog/effects.py).
(function () {
  "use strict";
  var data = document.getElementById("kind-effects");
  if (!data) return;
  var effects = JSON.parse(data.textContent);
  function update() {
    var kind = document.getElementById("id_kind");
    var direction = document.getElementById("id_direction");
    var out = document.getElementById("kind-effect");
    if (!kind || !direction || !out) return;
    var text = effects[direction.value + ":" + kind.value];
    out.textContent = text ? "Saving it schedules: " + text : "";
  }
  document.addEventListener("change", function (event) {
    if (event.target.id === "id_kind" || event.target.id === "id_direction") update();
  });
  // htmx swaps the form in after a paste: show the pre-selected kind's effect.
  document.addEventListener("htmx:afterSwap", update);
})();
