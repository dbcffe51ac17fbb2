// Copy buttons: <button data-copy-from="field-id" data-label="Copy">. The Clipboard API
// needs a secure context; elsewhere (http on a LAN address) a selection copy does it.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-from]");
    if (!button) return;
    var field = document.getElementById(button.dataset.copyFrom);
    if (!field) return;
    var done = function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = button.dataset.label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done);
    } else {
      field.select();
      document.execCommand("copy");
      done();
    }
  });
})();
