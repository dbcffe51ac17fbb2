// Print buttons: <button data-print>. A listener in a static file, since the
// Content-Security-Policy refuses inline handlers such as onclick="window.print()".
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
