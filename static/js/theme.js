// Dark mode follows the system setting: Bootstrap's data-bs-theme on <html>, kept in step
// when the setting changes. Loaded in <head>, so the page never flashes the other theme.
(function () {
  "use strict";
  var query = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  function apply() {
    document.documentElement.setAttribute("data-bs-theme", query && query.matches ? "dark" : "light");
  }
  apply();
  if (query && query.addEventListener) query.addEventListener("change", apply);
})();
