"""Pages of documents: the list with its upload form, the download, the delete."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from crm.documents.forms import DocumentForm
from crm.documents.validation import CONTENT_TYPES, suffix_of
from crm.http import AuthenticatedHttpRequest
from crm.models import Document


class CappedUploadHandler(FileUploadHandler):
    """Stops keeping an uploaded file once it passes DOCUMENT_MAX_BYTES: the rest of it
    is read and dropped, never written to memory or disk, and the form says why."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.received = 0
        self.too_big = False

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.DOCUMENT_MAX_BYTES:
            self.too_big = True
            raise SkipFile()
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


@csrf_exempt  # CSRF is checked by csrf_protect below, after the upload handler is set
def document_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's documents, which applications each went to, and the upload form."""
    capped = CappedUploadHandler(request)
    # First, so it sees every chunk; the body is not read yet, so the handlers can be set.
    request.upload_handlers = [capped, *request.upload_handlers]
    return _document_list(request, capped)


@csrf_protect
def _document_list(request: AuthenticatedHttpRequest, capped: CappedUploadHandler) -> HttpResponse:
    form = DocumentForm(request.POST or None, request.FILES or None, owner=request.user)
    if request.method == "POST" and capped.too_big:
        limit = settings.DOCUMENT_MAX_BYTES // (1024 * 1024)
        form.is_valid()
        form.errors["file"] = form.error_class([f"The file is larger than the {limit} MB limit."])
    elif request.method == "POST" and form.is_valid():
        document = form.save()
        messages.success(request, f"Uploaded “{document.name}”.")
        return redirect("crm:document-list")
    documents = Document.objects.filter(owner=request.user).prefetch_related(
        "applications__company"
    )
    context = {"form": form, "documents": documents}
    return render(request, "crm/documents/list.html", context, status=400 if form.errors else 200)


def document_download(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    """The file, to its owner only; anyone else gets the same 404 as a missing id."""
    document = get_object_or_404(Document, pk=pk, owner=request.user)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("The file of this document is missing from storage.") from None
    suffix = suffix_of(document.file.name)
    name = document.original_name or f"{document.name}{suffix}"
    response = FileResponse(handle, as_attachment=True, filename=name)
    response["Content-Type"] = CONTENT_TYPES.get(suffix, "application/octet-stream")
    return response


@require_POST
def document_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    document = get_object_or_404(Document, pk=pk, owner=request.user)
    document.file.delete(save=False)
    document.delete()
    messages.success(request, f"Deleted “{document.name}”.")
    return redirect("crm:document-list")
