"""Import pages: LinkedIn connections and applications CSV, each with a preview step."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# Landing ----------------------------------------------------------------------------


def import_landing(request: HttpRequest) -> HttpResponse:
    """Lists what can be imported, and links to the export page."""
    return render(request, "contacts/import.html")
