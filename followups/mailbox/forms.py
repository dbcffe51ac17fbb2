"""The Preferences → Mailbox form, and turning a kept message into the quick-log form.

The password field is write-only: it is never rendered back, and left empty it keeps the
stored one.
"""

from __future__ import annotations

from typing import Any

from django import forms

from contacts.models import Interaction
from followups.drafts import asks_for_feedback
from followups.mailbox.mime import own_words
from followups.models import Mailbox, MailMessage
from followups.quicklog.emailparse import person_name
from followups.quicklog.forms import InteractionForm


class MailboxForm(forms.ModelForm):
    # The write-only password's field; the admin's form names it new_password.
    password_field = "password"

    password = forms.CharField(
        label="App password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted and never shown again; leave empty to keep the saved one.",
    )

    class Meta:
        model = Mailbox
        fields = [
            "host",
            "port",
            "security",
            "username",
            "password",
            "inbox_folder",
            "sent_folder",
            "enabled",
            "log_rejections_without_asking",
            "first_sync_days",
        ]
        help_texts = {
            "host": "imap.gmail.com, outlook.office365.com, imap.fastmail.com, …",
            "sent_folder": "Empty: found by the server's \\Sent flag (Gmail: [Gmail]/Sent Mail).",
        }

    def __init__(self, *args, owner=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if owner is not None:  # the admin gives a new row its owner itself
            self.instance.owner = owner
        self.fields["port"].widget.attrs["min"] = 1
        self.fields["first_sync_days"].widget.attrs["max"] = 3650

    def clean_host(self) -> str:
        host = self.cleaned_data["host"].strip()
        if not host or any(c.isspace() for c in host) or "/" in host:
            raise forms.ValidationError("Enter the server's name only, e.g. imap.gmail.com.")
        return host

    def clean_port(self) -> int:
        port = self.cleaned_data["port"]
        if not 1 <= port <= 65535:
            raise forms.ValidationError("A port is a number from 1 to 65535 (993 for TLS).")
        return port

    def clean_first_sync_days(self) -> int:
        days = self.cleaned_data["first_sync_days"]
        if not 1 <= days <= 3650:
            raise forms.ValidationError("Between 1 and 3650 days.")
        return days

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get(self.password_field) and not self.instance.has_password:
            self.add_error(self.password_field, "Enter the app password for this mailbox.")
        return data

    def mailbox(self) -> Mailbox:
        """The instance with the form's values, the new password encrypted; not saved."""
        mailbox = self.instance
        if self.cleaned_data.get(self.password_field):
            mailbox.set_password(self.cleaned_data[self.password_field])
        return mailbox


# What each guess is logged as when confirmed (an interview invitation is not the interview).
CONFIRM_AS: dict[str, str] = {
    MailMessage.Guess.REJECTION: Interaction.Kind.REJECTION,
    MailMessage.Guess.OFFER: Interaction.Kind.OFFER,
    MailMessage.Guess.FEEDBACK: Interaction.Kind.FEEDBACK,
    MailMessage.Guess.REPLY: Interaction.Kind.REPLY,
}


def quicklog_values(message: MailMessage) -> dict:
    """The quick-log form's values for a kept message: who, company, job, kind, text.

    What you sent is logged as mark sent logs a draft: its kind a reply when it answers
    a message, asking for feedback when its text does (followups.drafts)."""
    contact = message.contact
    outbound = message.direction == MailMessage.Direction.OUTBOUND
    name = contact.full_name if contact else person_name(message.from_name)
    email = contact.email if contact else message.from_address
    requests_feedback = False
    if outbound:
        requests_feedback = asks_for_feedback(own_words(message.body))
        if contact is None:
            email = message.counterpart
            # Their name as they signed what you answer, if they wrote to you.
            wrote = (
                MailMessage.objects.filter(
                    owner_id=message.owner_id,
                    direction=MailMessage.Direction.INBOUND,
                    from_address=email,
                )
                .exclude(from_name="")
                .order_by("-sent_at")
                .first()
            )
            name = person_name(wrote.from_name) if wrote else ""
    return {
        "direction": message.direction,
        "kind": CONFIRM_AS.get(message.guess, Interaction.Kind.OTHER),
        "channel": Interaction.Channel.EMAIL,
        "contact_name": name,
        "contact_email": email,
        "company_name": message.company_name,
        "job_title": message.job_title,
        "occurred_at": message.sent_at,
        "subject": message.subject[:300],
        "body": message.body,
        "requests_feedback": requests_feedback,
    }


def confirm_form(message: MailMessage, data=None) -> InteractionForm:
    """The quick-log form, bound to the message's values (Confirm) or to what the user
    changed (Change): the same save path as quick log, so the rules fire the same way."""
    if data is None:
        values = quicklog_values(message)
        data = {k: v for k, v in values.items() if v not in (False, None)}
        if values["requests_feedback"]:
            data["requests_feedback"] = "on"
    return InteractionForm(data, owner=message.owner)
