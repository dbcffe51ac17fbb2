// The draft editor (copy buttons are static/js/copy.js): the "asks for feedback" box following the text until
// the user ticks it by hand, and a warning before leaving with unsaved edits.
(function () {
  "use strict";
  // The checker's notion of a feedback request (followups/drafts/phrases.py), loosely:
  // the server decides again from the text when the box was not touched.
  var FEEDBACK = /\b(feedback|insights?|advice|pointers|suggestions|thoughts on|(?:what|where|how) I (?:could|might|can|should) (?:do |have done )?(?:better|improve)|areas? (?:to|for|of) improve(?:ment)?)\b/i;

  var form = document.getElementById("draft-form");
  if (!form) return;
  var box = document.getElementById("id_requests_feedback");
  var dirty = false;
  if (box) {
    box.addEventListener("change", function () { delete box.dataset.feedbackAuto; });
  }
  form.addEventListener("input", function (event) {
    if (event.target === box) return;
    dirty = true;
    if (box && "feedbackAuto" in box.dataset) {
      var subject = document.getElementById("id_subject");
      var body = document.getElementById("id_body");
      box.checked = FEEDBACK.test((subject ? subject.value : "") + "\n" + body.value);
    }
  });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (!dirty) return;
    event.preventDefault();
    event.returnValue = "";  // older browsers show their own text for any non-empty value
  });
})();
