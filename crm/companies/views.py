"""The company filter's suggestions: `<option>`s for its `<datalist>`, swapped in by htmx."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from crm.http import AuthenticatedHttpRequest
from crm.models import Company

# Enough to pick from while typing; a longer list is what the field replaced.
SUGGESTIONS = 10


def company_suggestions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The owner's companies whose name contains what was typed, at most SUGGESTIONS."""
    typed = " ".join(request.GET.get("company_name", "").split())[:200]
    names: list[str] = []
    if typed:
        names = list(
            Company.objects.filter(owner=request.user, name__icontains=typed)
            .order_by("name")
            .values_list("name", flat=True)[:SUGGESTIONS]
        )
    return render(request, "crm/companies/suggestions.html", {"names": names})
