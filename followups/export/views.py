"""Export pages: contacts as CSV and vCard, everything as one JSON backup, and restore."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from contacts.models import Contact
from contacts.resources import ContactResource
from contacts.vcard import contacts_vcard
from followups.export import backup
from followups.export.streaming import csv_chunks, streaming_attachment

DEFAULT_MAX_BACKUP_BYTES = 50 * 1024 * 1024


def max_backup_bytes() -> int:
    return getattr(settings, "BACKUP_MAX_UPLOAD_BYTES", DEFAULT_MAX_BACKUP_BYTES)


class RestoreForm(forms.Form):
    file = forms.FileField(
        label="Backup file",
        help_text="The .json file downloaded from “Download everything”.",
        error_messages={"empty": "The file is empty. Expected a Follow-up CRM backup (.json)."},
    )

    def clean_file(self) -> dict:
        upload = self.cleaned_data["file"]
        if upload.size > max_backup_bytes():
            limit_mb = max_backup_bytes() // (1024 * 1024)
            raise forms.ValidationError(f"The file is larger than the limit of {limit_mb} MB.")
        try:
            return backup.parse_backup(upload.read())
        except backup.BackupError as error:
            raise forms.ValidationError(str(error)) from None


def _attachment(content: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _stamp() -> str:
    return timezone.localdate().isoformat()


# Export page ------------------------------------------------------------------------


def export_page(request: HttpRequest) -> HttpResponse:
    """Download buttons for every export, and the restore form."""
    context = {
        "form": RestoreForm(),
        "contact_count": Contact.objects.filter(owner=request.user).count(),
        "account_is_empty": not backup.owns_anything(request.user),
    }
    return render(request, "followups/export/export.html", context)


# Downloads --------------------------------------------------------------------------


def export_contacts_csv(request: HttpRequest) -> HttpResponse:
    """The user's contacts, one per row, in the columns the admin import reads back."""
    contacts = Contact.objects.filter(owner=request.user).select_related("company")
    # The resource decides the columns and how each cell reads (what the admin import
    # reads back); its rows are written as they are read, not built into one dataset.
    resource = ContactResource(user=request.user)
    rows = (
        resource.export_resource(contact)
        for contact in contacts.order_by("pk").iterator(chunk_size=2000)
    )
    chunks = csv_chunks(resource.get_export_headers(), rows)
    return streaming_attachment(chunks, "text/csv; charset=utf-8", f"contacts-{_stamp()}.csv")


def export_contacts_vcard(request: HttpRequest) -> HttpResponse:
    """The user's contacts as vCard 4.0, for an address book."""
    contacts = Contact.objects.filter(owner=request.user).select_related("company")
    content = contacts_vcard(contacts.order_by("pk"))
    return _attachment(content, "text/vcard; charset=utf-8", f"contacts-{_stamp()}.vcf")


def export_backup(request: HttpRequest) -> HttpResponse:
    """Everything the user owns as one JSON file, restorable into an empty account."""
    filename = f"followup-crm-backup-{request.user.get_username()}-{_stamp()}.json"
    return streaming_attachment(backup.iter_backup_json(request.user), "application/json", filename)


# Restore ----------------------------------------------------------------------------


@require_POST
def restore_backup(request: HttpRequest) -> HttpResponse:
    """Recreates a backup in this (empty) account: all of it or, on any problem, nothing."""
    form = RestoreForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            counts = backup.restore_user_data(request.user, form.cleaned_data["file"])
        except backup.BackupError as error:
            form.add_error("file", str(error))
        else:
            summary = ", ".join(f"{n} {key.replace('_', ' ')}" for key, n in counts.items() if n)
            messages.success(request, f"Restored {summary or 'your settings'}.")
            return redirect("followups:export")
    context = {
        "form": form,
        "contact_count": Contact.objects.filter(owner=request.user).count(),
        "account_is_empty": not backup.owns_anything(request.user),
    }
    return render(request, "followups/export/export.html", context, status=400)
