"""Admin pages of mailbox sync: the connected mailbox and the messages kept from it.

Scoped to the row's owner like every admin (crm/admin.py). The password is write-only
here as on Preferences → Mailbox: the page says whether one is set and takes a new one
through Mailbox.set_password(); the stored ciphertext is never shown. A kept message is
read-only: it is logged or ignored on the Inbox page, where the rules run.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin

from crm.admin import OwnedModelAdmin
from followups.mailbox.forms import MailboxForm
from followups.models import Mailbox, MailMessage

_HEALTH_FIELDS: tuple[str, ...] = (
    "password_state",
    "last_attempt_at",
    "last_success_at",
    "last_error",
    "failing_since",
    "messages_read",
    "messages_kept",
    "messages_logged",
)


class MailboxAdminForm(MailboxForm):
    """Preferences → Mailbox's form (the same checks of host, port, TLS and days), with
    the password field named for the change page, where a password is already set."""

    password_field = "new_password"
    password = None  # type: ignore[assignment]
    new_password = forms.CharField(
        label="Set or change the app password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Stored encrypted and never shown; leave empty to keep the saved one.",
    )

    class Meta(MailboxForm.Meta):
        fields = [name for name in MailboxForm.Meta.fields if name != "password"]

    def save(self, commit: bool = True) -> Mailbox:
        super().save(commit=False)
        mailbox = self.mailbox()
        if commit:
            mailbox.save()
            self.save_m2m()
        return mailbox


@admin.register(Mailbox)
class MailboxAdmin(OwnedModelAdmin):
    form = MailboxAdminForm
    list_display = ["username", "host", "port", "security", "enabled", "last_success_at", "owner"]
    list_filter = ["enabled", "security"]
    search_fields = ["username", "host"]
    readonly_fields = _HEALTH_FIELDS
    fieldsets = [
        (None, {"fields": ["host", "port", "security", "username", "new_password"]}),
        ("Folders and choices", {"fields": ["inbox_folder", "sent_folder", "enabled"]}),
        ("", {"fields": ["log_rejections_without_asking", "first_sync_days"]}),
        ("Health", {"fields": _HEALTH_FIELDS}),
    ]

    @admin.display(description="App password")
    def password_state(self, obj: Mailbox) -> str:
        return "set" if obj.has_password else "not set"


@admin.register(MailMessage)
class MailMessageAdmin(OwnedModelAdmin):
    list_display = ["subject", "direction", "guess", "status", "contact", "sent_at", "folder"]
    list_filter = ["status", "direction", "guess"]
    list_select_related = ["contact"]
    search_fields = ["subject", "from_address", "from_name", "to_addresses"]
    date_hierarchy = "sent_at"
    fields = readonly_fields = (
        "mailbox",
        "direction",
        "status",
        "guess",
        "from_name",
        "from_address",
        "to_addresses",
        "subject",
        "sent_at",
        "body",
        "company_name",
        "job_title",
        "contact",
        "interaction",
        "problem",
        "folder",
        "uid",
        "message_key",
        "in_reply_to",
        "created_at",
        "decided_at",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Read-only: a message is confirmed, changed or ignored on the Inbox page.
        return False
