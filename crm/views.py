"""Views of the crm app: home and the favicon."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# Home -------------------------------------------------------------------------------


def home(request):
    """The starting page; the dashboard replaces it once follow-ups exist."""
    return render(request, "crm/home.html")


# Sign-up and the first run live in crm/onboarding/views.py.


# Favicon ----------------------------------------------------------------------------


@cache
def _favicon() -> bytes:
    return (settings.BASE_DIR / "static" / "favicon.svg").read_bytes()


@login_not_required
@require_GET
@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, which browsers ask for on every page whatever the page links."""
    return HttpResponse(_favicon(), content_type="image/svg+xml")
