"""Import pages: LinkedIn connections and applications CSV, each with a preview step.

Upload → (applications only: map the columns) → preview → confirm. The uploaded bytes
stay in a staging file on the server whose token lives only in the session; the preview
and the confirm both re-read that file, so a client never supplies the rows it imports.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from contacts import importers
from contacts.importers import ImportFileError
from contacts.importers.forms import ColumnMappingForm, UploadForm
from crm.concurrency import atomic_for_owner

PREVIEW_ROWS_PER_PAGE = 100
SESSION_KEY = "import_staged"

KINDS = {
    "linkedin": {
        "title": "LinkedIn connections",
        "heading": "Import LinkedIn connections",
        "expected": importers.LINKEDIN_EXPECTED,
        "help": "Connections.csv from LinkedIn: Settings → Data privacy → Get a copy of your data.",
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

# Staging helpers --------------------------------------------------------------------


def _staged(request: HttpRequest, kind: str) -> dict | None:
    return request.session.get(SESSION_KEY, {}).get(kind)


def _set_staged(request: HttpRequest, kind: str, entry: dict | None) -> None:
    staged = dict(request.session.get(SESSION_KEY, {}))
    old = staged.pop(kind, None)
    if old and (entry is None or old["token"] != entry["token"]):
        importers.discard_staged(request.user, old["token"])
    if entry is not None:
        staged[kind] = entry
    request.session[SESSION_KEY] = staged


def _plan(request: HttpRequest, kind: str, entry: dict) -> importers.ImportPlan:
    raw = importers.load_staged(request.user, entry["token"])
    if kind == "linkedin":
        return importers.plan_linkedin(request.user, raw)
    return importers.plan_applications(request.user, raw, entry["mapping"])


# Landing ----------------------------------------------------------------------------


def import_landing(request: HttpRequest) -> HttpResponse:
    """Lists what can be imported, with an upload form for each."""
    forms = {
        kind: UploadForm(help_text=info["help"], expected=info["expected"])
        for kind, info in KINDS.items()
    }
    return render(request, "contacts/import.html", {"forms": forms, "kinds": KINDS})


# Upload -----------------------------------------------------------------------------


def import_upload(request: HttpRequest, kind: str) -> HttpResponse:
    """Checks the file as a whole, keeps it for the next step; writes no rows."""
    info = KINDS[kind]
    bound = (request.POST, request.FILES) if request.method == "POST" else ()
    form = UploadForm(*bound, help_text=info["help"], expected=info["expected"])
    if request.method == "POST" and form.is_valid():
        raw = form.cleaned_data["file"]
        try:
            if kind == "linkedin":
                importers.parse_linkedin(raw)
                mapping = None
            else:
                mapping = importers.parse_applications(raw).guess_mapping()
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            token = importers.stage_upload(request.user, raw)
            name = request.FILES["file"].name
            _set_staged(request, kind, {"token": token, "name": name, "mapping": mapping})
            if kind == "linkedin":
                return redirect("contacts:import-preview", kind=kind)
            return redirect("contacts:import-map")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "kind": kind, "info": info}
    return render(request, "contacts/import_upload.html", context, status=status)


# Column mapping (applications) ------------------------------------------------------


def import_map_columns(request: HttpRequest) -> HttpResponse:
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


def import_preview(request: HttpRequest, kind: str) -> HttpResponse:
    """Every row as it will be imported; POST confirms and writes all of it or nothing."""
    entry = _staged(request, kind)
    if entry is None or (kind == "applications" and not entry.get("mapping")):
        messages.info(request, "Upload a file first.")
        return redirect("contacts:import-upload", kind=kind)
    try:
        if request.method == "POST":
            commit = (
                importers.commit_linkedin if kind == "linkedin" else importers.commit_applications
            )
            # Planned again under the owner's lock: a second confirm sent at the same time
            # (double click, two tabs) then matches the rows the first one created.
            with atomic_for_owner(request.user):
                plan = _plan(request, kind, entry)
                result = commit(plan)
        else:
            plan = _plan(request, kind, entry)
    except ImportFileError as error:
        messages.error(request, str(error))
        return redirect("contacts:import-upload", kind=kind)
    if request.method == "POST":
        _set_staged(request, kind, None)
        messages.success(request, result.summary(KINDS[kind]["noun"]))
        return redirect(KINDS[kind]["done_url"])
    rows = plan.rows
    if request.GET.get("show") == "rejected":
        rows = [row for row in rows if row.is_rejected]
    page = Paginator(rows, PREVIEW_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"plan": plan, "page": page, "entry": entry, "kind": kind, "info": KINDS[kind]}
    return render(request, "contacts/import_preview.html", context)


@require_POST
def import_cancel(request: HttpRequest, kind: str) -> HttpResponse:
    """Forgets the uploaded file without importing anything."""
    _set_staged(request, kind, None)
    messages.info(request, "Import cancelled; nothing was changed.")
    return redirect("contacts:import")
