"""Import pages: LinkedIn (a CSV or the whole archive) and applications CSV, each with a
preview step.

Upload → (applications only: map the columns) → preview → confirm. The uploaded bytes
stay in a staging file on the server whose token lives only in the session; the preview
and the confirm both re-read that file, so a client never supplies the rows it imports.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from contacts import importers
from contacts.importers import ImportFileError, jobs
from contacts.importers.forms import ColumnMappingForm, ImportChoicesForm, UploadForm
from contacts.models import ImportJob
from crm.concurrency import atomic_for_owner
from crm.http import AuthenticatedHttpRequest

PREVIEW_ROWS_PER_PAGE = 100
SESSION_KEY = "import_staged"

KINDS = {
    "linkedin": {
        "title": "LinkedIn",
        "heading": "Import from LinkedIn",
        "expected": importers.ARCHIVE_EXPECTED,
        "help": (
            "LinkedIn's whole archive (.zip) or one of its CSVs, such as Connections.csv: "
            "Settings → Data privacy → Get a copy of your data."
        ),
        "noun": "contacts",
        "done_url": "contacts:list",
    },
    "applications": {
        "title": "Applications",
        "heading": "Import applications",
        "expected": importers.APPLICATIONS_EXPECTED,
        "help": "A CSV with one application per row, exported from a spreadsheet or tracker.",
        "noun": "applications",
        "done_url": "crm:application-list",
    },
}

# How many of the account's worker imports the import page lists.
RECENT_JOBS = 5

# Staging helpers --------------------------------------------------------------------


def _staged(request: AuthenticatedHttpRequest, kind: str) -> dict | None:
    return request.session.get(SESSION_KEY, {}).get(kind)


def _set_staged(request: AuthenticatedHttpRequest, kind: str, entry: dict | None) -> None:
    staged = dict(request.session.get(SESSION_KEY, {}))
    old = staged.pop(kind, None)
    if old and (entry is None or old["token"] != entry["token"]):
        importers.discard_staged(request.user, old["token"])
    if entry is not None:
        staged[kind] = entry
    request.session[SESSION_KEY] = staged


def _forget_staged(request: AuthenticatedHttpRequest, kind: str) -> None:
    """Drops the session's entry but keeps the file (a queued import reads it)."""
    staged = dict(request.session.get(SESSION_KEY, {}))
    staged.pop(kind, None)
    request.session[SESSION_KEY] = staged


def _plan(
    request: AuthenticatedHttpRequest, kind: str, entry: dict
) -> importers.LinkedInPlan | importers.ArchivePlan | importers.ApplicationsPlan:
    date_order = entry.get("date_order")
    if kind == "linkedin":
        # Streamed from the staged file: an archive's messages are never held whole.
        path = importers.staged_path(request.user, entry["token"])
        return importers.plan_linkedin_upload(
            request.user, path, entry.get("name", ""), date_order=date_order
        )
    return importers.plan_applications(
        request.user,
        importers.load_staged(request.user, entry["token"]),
        entry["mapping"],
        status_map=entry.get("status_map"),
        date_order=date_order,
    )


def _choices_form(plan: importers.ImportPlan, entry: dict, data=None) -> ImportChoicesForm:
    # Asked when the file never says; still shown (to change) once the user answered.
    ask = plan.date_order_needed or bool(entry.get("date_order") and not plan.date_order_inferred)
    return ImportChoicesForm(
        data,
        ask_date_order=ask,
        status_words=plan.status_words,
        initial={"date_order": entry.get("date_order") or ""},
    )


# Landing ----------------------------------------------------------------------------


def import_landing(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Lists what can be imported, with an upload form for each."""
    forms = {
        # Two forms on one page: each its own field ids, so each label names its own input.
        kind: UploadForm(
            help_text=info["help"],
            expected=info["expected"],
            archive=kind == "linkedin",
            auto_id=f"id_{kind}_%s",
        )
        for kind, info in KINDS.items()
    }
    jobs.recover_stale(request.user)
    # The imports the worker ran or runs for this account, newest first, so a person who
    # left a job's page finds it again; the journals (created, changed) are not read.
    recent = list(
        ImportJob.objects.filter(owner=request.user)
        .only("kind", "state", "file_name", "rows_total", "position", "done", "created_at")
        .order_by("-created_at", "-pk")[:RECENT_JOBS]
    )
    context = {"forms": forms, "kinds": KINDS, "jobs": recent}
    return render(request, "contacts/import.html", context)


# Upload -----------------------------------------------------------------------------


def import_upload(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    """Checks the file as a whole, keeps it for the next step; writes no rows."""
    info = KINDS[kind]
    bound = (request.POST, request.FILES) if request.method == "POST" else ()
    form = UploadForm(
        *bound, help_text=info["help"], expected=info["expected"], archive=kind == "linkedin"
    )
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"]
        name = cast(UploadedFile, request.FILES["file"]).name
        try:
            if kind == "linkedin":
                importers.check_linkedin_upload(raw, name or "")
                mapping = None
            else:
                mapping = importers.parse_applications(raw).guess_mapping()
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            token = importers.stage_upload(request.user, raw)
            _set_staged(request, kind, {"token": token, "name": name, "mapping": mapping})
            if kind == "linkedin":
                return redirect("contacts:import-preview", kind=kind)
            return redirect("contacts:import-map")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "kind": kind, "info": info}
    return render(request, "contacts/import_upload.html", context, status=status)


# Column mapping (applications) ------------------------------------------------------


def import_map_columns(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Which column holds the company, the title, the status…: guessed, then confirmed."""
    entry = _staged(request, "applications")
    if entry is None:
        messages.info(request, "Upload a file first.")
        return redirect("contacts:import-upload", kind="applications")
    try:
        parsed = importers.parse_applications(importers.load_staged(request.user, entry["token"]))
    except ImportFileError as error:
        messages.error(request, str(error))
        return redirect("contacts:import-upload", kind="applications")
    form = ColumnMappingForm(
        request.POST if request.method == "POST" else None,
        headers=parsed.headers,
        initial=ColumnMappingForm.initial_from(entry["mapping"]),
    )
    if request.method == "POST" and form.is_valid():
        _set_staged(request, "applications", {**entry, "mapping": form.mapping()})
        return redirect("contacts:import-preview", kind="applications")
    samples = [record.cells for record in parsed.records[:3]]
    context = {"form": form, "entry": entry, "headers": parsed.headers, "samples": samples}
    return render(request, "contacts/import_map.html", context)


# Preview and confirm ----------------------------------------------------------------


def import_preview(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    """Every row as it will be imported; POST confirms and writes all of it or nothing."""
    entry = _staged(request, kind)
    if entry is None or (kind == "applications" and not entry.get("mapping")):
        messages.info(request, "Upload a file first.")
        return redirect("contacts:import-upload", kind=kind)
    try:
        if request.method == "POST":
            return _confirm(request, kind, entry)
        plan = _plan(request, kind, entry)
    except ImportFileError as error:
        messages.error(request, str(error))
        return redirect("contacts:import-upload", kind=kind)
    rows = plan.rows
    if request.GET.get("show") == "rejected":
        rows = [row for row in rows if row.is_rejected]
    page = Paginator(rows, PREVIEW_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "plan": plan,
        "page": page,
        "entry": entry,
        "kind": kind,
        "info": KINDS[kind],
        "choices": _choices_form(plan, entry),
        "in_worker": jobs.runs_in_worker(plan),
    }
    return render(request, "contacts/import_preview.html", context)


def _confirm(request: AuthenticatedHttpRequest, kind: str, entry: dict) -> HttpResponse:
    """Hands a big plan to the worker (jobs.py); commits a small one here and now."""
    jobs.check_none_running(request.user)
    # A big file is planned outside the owner's lock: on SQLite that lock is the write
    # lock, and planning 20,000 rows takes seconds. The worker plans it again anyway.
    plan = _plan(request, kind, entry)
    if jobs.runs_in_worker(plan) and not plan.date_order_needed:
        job_kind = ImportJob.Kind.ARCHIVE if isinstance(plan, importers.ArchivePlan) else kind
        ticked = request.POST.getlist("rejection")
        job = jobs.start_import(request.user, job_kind, entry, rejections=ticked)
        _forget_staged(request, kind)  # the file is the job's now
        return redirect("contacts:import-job", pk=job.pk)
    # Planned again under the owner's lock: a second confirm sent at the same time
    # (double click, two tabs) then matches the rows the first one created.
    with atomic_for_owner(request.user):
        plan = _plan(request, kind, entry)
        if plan.date_order_needed:
            messages.error(request, "Choose the date order first; nothing was imported.")
            return redirect("contacts:import-preview", kind=kind)
        # _plan gives the applications plan for "applications", a LinkedIn one else.
        if isinstance(plan, importers.ApplicationsPlan):
            result = importers.commit_applications(plan)
        else:
            confirmed = set(request.POST.getlist("rejection"))
            result = importers.commit_linkedin_upload(plan, rejections=confirmed)
    _set_staged(request, kind, None)
    messages.success(request, result.summary(KINDS[kind]["noun"]))
    return redirect(KINDS[kind]["done_url"])


def import_job_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One import's state, rows done of the total, the result or what went wrong; htmx
    polls it while the worker runs."""
    jobs.recover_stale(request.user)
    job = get_object_or_404(ImportJob, pk=pk, owner=request.user)
    template = "contacts/import_job_status.html" if request.htmx else "contacts/import_job.html"
    # An archive is uploaded on LinkedIn's page.
    upload_kind = "linkedin" if job.kind == ImportJob.Kind.ARCHIVE else job.kind
    context = {"job": job, "info": KINDS[upload_kind], "upload_kind": upload_kind}
    if job.kind == ImportJob.Kind.ARCHIVE and job.state == ImportJob.State.DONE:
        context["summary"] = importers.ArchiveResult(**job.counts).summary()
    return render(request, template, context)


@require_POST
def import_choices(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    """Keeps the answers to the preview's questions (date order, status meanings)."""
    entry = _staged(request, kind)
    if entry is None:
        messages.info(request, "Upload a file first.")
        return redirect("contacts:import-upload", kind=kind)
    try:
        plan = _plan(request, kind, entry)
    except ImportFileError as error:
        messages.error(request, str(error))
        return redirect("contacts:import-upload", kind=kind)
    form = _choices_form(plan, entry, request.POST)
    if form.is_valid():
        changes = {"status_map": form.status_map()}
        if "date_order" in form.fields:
            changes["date_order"] = form.cleaned_data["date_order"]
        _set_staged(request, kind, {**entry, **changes})
    else:
        messages.error(request, "Choose one of the offered answers.")
    return redirect("contacts:import-preview", kind=kind)


@require_POST
def import_cancel(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    """Forgets the uploaded file without importing anything."""
    _set_staged(request, kind, None)
    messages.info(request, "Import cancelled; nothing was changed.")
    return redirect("contacts:import")
