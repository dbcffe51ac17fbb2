// The bookmarklet's relay page (templates/crm/capture/relay.html): fetch Django's CSRF
// token for the logged-in session (same origin), put it in the form and post it on.
// Not logged in: say so and keep what the bookmarklet sent until "Continue".
(function () {
  "use strict";
  var form = document.getElementById("capture-relay");
  if (!form) return;
  var status = document.getElementById("capture-relay-status");
  var login = document.getElementById("capture-relay-login");
  var button = document.getElementById("capture-relay-continue");

  function show(message, offerLogin) {
    status.textContent = message;
    login.hidden = !offerLogin;
    button.hidden = false;
  }

  function send() {
    fetch(form.dataset.csrfUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (answer) {
        if (!answer.logged_in) {
          show("Log in, then press Continue to save the posting.", true);
          return;
        }
        form.elements.csrfmiddlewaretoken.value = answer.csrf_token;
        form.submit();
      })
      .catch(function () {
        show("Follow-up CRM could not be reached. Press Continue to try again.", false);
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.hidden = true;
    status.textContent = "Opening the posting in Follow-up CRM…";
    send();
  });
  send();
})();
