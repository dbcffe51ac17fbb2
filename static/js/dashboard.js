// Dashboard keyboard use: j/k move between follow-ups, s opens the snooze menu, m marks
// the follow-up sent, ? shows the shortcuts; Esc closes the snooze menu (and the help).
// After an action swaps a row in (Dismiss, Undo, Mark sent) focus stays on that row.
(function () {
  "use strict";
  var current = null;

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll(".followup-row"));
  }
  function select(row) {
    if (current) current.classList.remove("followup-row-active");
    current = row;
    if (!row) return;
    row.classList.add("followup-row-active");
    row.setAttribute("tabindex", "-1");
    row.focus();
    row.scrollIntoView({ block: "nearest" });
  }
  function step(by) {
    var all = rows();
    if (!all.length) return;
    var at = current ? all.indexOf(current) : -1;
    select(all[Math.min(Math.max(at + by, 0), all.length - 1)]);
  }
  function closeMenus() {
    var closed = false;
    document.querySelectorAll("details.snooze-menu[open]").forEach(function (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
      closed = true;
    });
    return closed;
  }
  function toggleHelp(show) {
    var help = document.getElementById("shortcut-help");
    if (!help) return;
    help.hidden = show === undefined ? !help.hidden : !show;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      if (!closeMenus()) toggleHelp(false);
      return;
    }
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target.closest("input, textarea, select, [contenteditable]")) return;
    if (event.key === "j") step(1);
    else if (event.key === "k") step(-1);
    else if (event.key === "?") toggleHelp();
    else if (event.key === "s" && current) {
      var menu = current.querySelector("details.snooze-menu");
      if (menu) { menu.open = true; menu.querySelector("summary").focus(); }
    } else if (event.key === "m" && current) {
      var sent = current.querySelector("button.btn-success");
      if (sent) sent.click();
    } else return;
    event.preventDefault();
  });

  // Focus follows the row an action re-rendered, instead of dropping to the page.
  var acting = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var row = event.detail.elt.closest && event.detail.elt.closest(".followup-row");
    acting = row ? row.id : null;
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (!acting) return;
    var row = document.getElementById(acting);
    acting = null;
    if (!row || row.querySelector("details.snooze-menu[open]")) return;
    var button = row.querySelector("button");
    if (current && current.id === row.id) current = row;
    (button || row).focus();
  });
})();
