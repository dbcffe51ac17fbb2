"""A request that fails on the storage answers a 503 page saying what is wrong."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.views import defaults

from crm.storage.faults import StorageFault, storage_fault

logger = logging.getLogger(__name__)


def fault_response(fault: StorageFault) -> HttpResponse:
    # Rendered without the request: the context processors read the database.
    html = loader.render_to_string("storage_fault.html", {"fault": fault})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = "60"
    response["Cache-Control"] = "no-store"
    return response


class StorageFaultMiddleware:
    """Turns a view's read-only or disk-full database error into the 503 page (with DEBUG
    on too); `server_error` below does the same for errors outside views."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        fault = storage_fault(exception)
        if fault is None:
            return None
        logger.error("storage fault on %s: %s (%s)", request.path, fault, exception)
        return fault_response(fault)


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: the storage-fault page when that is the cause, else Django's 500."""
    fault = storage_fault(sys.exc_info()[1])
    if fault is not None:
        return fault_response(fault)
    try:
        return defaults.server_error(request, template_name)
    except Exception:  # a broken 500 template must not hide the real error
        return HttpResponseServerError("Server error")
