// The first-run page: the time zone field starts with the browser's own zone (Intl), as
// long as the server had nothing better than the UTC default and the user typed nothing.
(function () {
  "use strict";
  var field = document.querySelector("[data-browser-time-zone]");
  if (!field || (field.value && field.value !== "UTC")) return;
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) field.value = zone;
  } catch (error) {
    // An old browser without Intl time zones keeps the server's default.
  }
})();
