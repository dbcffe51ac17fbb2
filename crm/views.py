"""Views of the crm app: home."""

from __future__ import annotations

from django.shortcuts import render

# Home -------------------------------------------------------------------------------


def home(request):
    """The starting page; the dashboard replaces it once follow-ups exist."""
    return render(request, "crm/home.html")


# Sign-up and the first run live in crm/onboarding/views.py.
