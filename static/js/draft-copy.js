// Moved out of the page: the Content-Security-Policy allows no inline script.
// Copy buttons: the Clipboard API needs a secure context; fall back to a selection copy.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy-from]");
  if (!button) return;
  var field = document.getElementById(button.dataset.copyFrom);
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
