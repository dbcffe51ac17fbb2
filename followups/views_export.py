"""Export pages: contacts as CSV and vCard, everything as one JSON backup, and restore."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# Export page ------------------------------------------------------------------------


def export_page(request: HttpRequest) -> HttpResponse:
    """Download buttons for every export, and the restore form."""
    return render(request, "followups/export.html")
