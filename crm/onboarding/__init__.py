"""A new account's first steps: sign-up with the address reminders go to, the first-run
page (time zone from the browser, name, signature) and the missing-address banner."""
