"""URLconf of the benchmark: the whole site plus the baseline page it compares against."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import include, path

# The same base template as every page, with nothing of its own: what any page costs.
BASELINE = engines["django"].from_string(
    '{% extends "base.html" %}{% block title %}Baseline{% endblock %}'
    "{% block content %}<p>Baseline page.</p>{% endblock %}"
)


def baseline(request: HttpRequest) -> HttpResponse:
    """A minimal login-required page (LoginRequiredMiddleware applies to it too)."""
    return HttpResponse(BASELINE.render({}, request))


urlpatterns = [
    path("bench/baseline/", baseline, name="bench-baseline"),
    path("", include("crm.urls")),
]
