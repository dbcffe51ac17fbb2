"""Export pages: contacts as CSV and vCard, applications as CSV, the job-search record,
everything as one JSON backup, and restore."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from import_export.resources import ModelResource

from contacts.models import Contact
from contacts.resources import ContactResource
from contacts.vcard import DEFAULT_VERSION, VERSIONS, contacts_vcard
from crm.http import AuthenticatedHttpRequest
from crm.models import JobApplication
from crm.resources import JobApplicationResource
from crm.spreadsheets import iter_csv
from followups.export import backup, jobsearch, limits, restore_jobs
from followups.models import RestoreJob


class RestoreForm(forms.Form):
    file = forms.FileField(
        label="Backup file",
        help_text="The .json file downloaded from “Download everything” (or it gzipped, .json.gz).",
        error_messages={"empty": "The file is empty. Expected a Follow-up CRM backup (.json)."},
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        try:
            limits.check_upload_size(upload.size)
        except limits.BackupLimitExceeded as error:
            raise forms.ValidationError(str(error)) from None
        return upload


def _attachment(content: str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _streamed_attachment(
    pieces: Iterable[str | bytes], content_type: str, filename: str
) -> StreamingHttpResponse:
    """A download sent as it is written: a large account's file is never whole in memory
    and starts arriving at once (docs/performance.md#exports)."""
    response = StreamingHttpResponse(pieces, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _resource_csv(resource: ModelResource, rows: QuerySet) -> Iterator[str]:
    """What `resource.export(rows).csv` gives, row by row through a database cursor."""
    rows = resource.filter_export(rows)
    cells = (resource.export_resource(obj) for obj in resource.iter_queryset(rows))
    return iter_csv(resource.get_export_headers(), cells)


def _stamp() -> str:
    return timezone.localdate().isoformat()


# Export page ------------------------------------------------------------------------


def export_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Download buttons for every export, and the restore form."""
    context = {
        "form": RestoreForm(),
        "contact_count": Contact.objects.filter(owner=request.user).count(),
        "account_is_empty": not backup.owns_anything(request.user),
    }
    return render(request, "followups/export/export.html", context)


# Downloads --------------------------------------------------------------------------


def export_contacts_csv(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    """The user's contacts, one per row, in the columns the admin import reads back."""
    contacts = Contact.objects.filter(owner=request.user).select_related("company")
    pieces = _resource_csv(ContactResource(user=request.user), contacts.order_by("pk"))
    return _streamed_attachment(pieces, "text/csv; charset=utf-8", f"contacts-{_stamp()}.csv")


def export_contacts_vcard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's contacts as vCard 3.0 for an address book, or 4.0 with ?version=4.0."""
    version = request.GET.get("version", DEFAULT_VERSION)
    if version not in VERSIONS:
        version = DEFAULT_VERSION
    contacts = Contact.objects.filter(owner=request.user).select_related("company")
    content = contacts_vcard(contacts.order_by("pk"), version)
    return _attachment(content, "text/vcard; charset=utf-8", f"contacts-{_stamp()}.vcf")


def export_backup(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    """Everything the user owns as one JSON file, restorable into an empty account."""
    filename = f"followup-crm-backup-{request.user.get_username()}-{_stamp()}.json"
    return _streamed_attachment(backup.iter_backup_json(request.user), "application/json", filename)


# Restore ----------------------------------------------------------------------------


@require_POST
def restore_backup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Stores the upload and hands its restore to the worker; its page shows the progress."""
    form = RestoreForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            job = restore_jobs.start_restore(request.user, form.cleaned_data["file"])
        except backup.BackupError as error:
            form.add_error("file", str(error))
        else:
            return redirect("followups:restore-job", pk=job.pk)
    context = {
        "form": form,
        "contact_count": Contact.objects.filter(owner=request.user).count(),
        "account_is_empty": not backup.owns_anything(request.user),
    }
    return render(request, "followups/export/export.html", context, status=400)


def restore_job_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One restore's state, rows done of the total, errors and warnings; htmx polls it."""
    restore_jobs.recover_stale(request.user)
    job = get_object_or_404(RestoreJob, pk=pk, owner=request.user)
    template = "followups/export/restore_job.html"
    if request.htmx:
        template = "followups/export/restore_job_status.html"
    return render(request, template, {"job": job})


# Applications and the job-search record ----------------------------------------------


class RecordRangeForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError("“From” must be on or before “To”.")
        if start and end and (end - start).days > MAX_RECORD_DAYS:
            raise forms.ValidationError("Choose at most two years at a time.")
        return data


MAX_RECORD_DAYS = 731


def export_applications_csv(request: AuthenticatedHttpRequest) -> StreamingHttpResponse:
    """The user's applications, one per row, in the columns the admin import reads back."""
    applications = JobApplication.objects.filter(owner=request.user).select_related("company")
    pieces = _resource_csv(JobApplicationResource(user=request.user), applications.order_by("pk"))
    name = f"applications-{_stamp()}.csv"
    return _streamed_attachment(pieces, "text/csv; charset=utf-8", name)


def job_search_record_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The record for a chosen range: a printable page, or CSV with ?format=csv."""
    today = timezone.localdate()
    initial = {"start": today.replace(day=1), "end": today}
    form = RecordRangeForm(request.GET or None, initial=initial)
    if request.GET and not form.is_valid():
        return render(request, "followups/export/record.html", {"form": form}, status=400)
    start = form.cleaned_data["start"] if request.GET else initial["start"]
    end = form.cleaned_data["end"] if request.GET else initial["end"]
    record = jobsearch.job_search_record(request.user, start, end)
    if request.GET.get("format") == "csv":
        name = f"job-search-record-{start.isoformat()}-to-{end.isoformat()}.csv"
        return _attachment(jobsearch.job_search_csv(record), "text/csv; charset=utf-8", name)
    context = {"form": form, "record": record, "header": jobsearch.RECORD_HEADER}
    return render(request, "followups/export/record.html", context)
