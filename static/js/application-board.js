// Moved out of the page: the Content-Security-Policy allows no inline script.
// Drag a card onto another column: sets the card's "move to" select and submits its
// form, so a drop does exactly what choosing the status and pressing Move does.
// Listeners sit on the document because htmx replaces the board after every move.
document.addEventListener("dragstart", (event) => {
  const card = event.target.closest && event.target.closest("#board [draggable=true]");
  if (card) event.dataTransfer.setData("text/plain", card.id);
});
document.addEventListener("dragover", (event) => {
  if (event.target.closest && event.target.closest("[data-drop-status]")) event.preventDefault();
});
document.addEventListener("drop", (event) => {
  const column = event.target.closest && event.target.closest("[data-drop-status]");
  const card = document.getElementById(event.dataTransfer.getData("text/plain"));
  if (!column || !card) return;
  event.preventDefault();
  const select = card.querySelector("select[name=status]");
  if (select.value === column.dataset.dropStatus) return;
  select.value = column.dataset.dropStatus;
  card.querySelector("form").requestSubmit();
});
// Keyboard users keep their place: after the board is swapped, focus returns to the
// moved card's select, now in its new column.
let movedSelectId = null;
document.addEventListener("htmx:beforeRequest", (event) => {
  const select = event.target.querySelector && event.target.querySelector("select[name=status]");
  movedSelectId = select ? select.id : null;
});
document.addEventListener("htmx:afterSettle", () => {
  const select = movedSelectId && document.getElementById(movedSelectId);
  if (select) select.focus();
  movedSelectId = null;
});
