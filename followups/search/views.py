"""The search page: the signed-in user's rows matching every word typed."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from contacts.models import Contact, Interaction
from crm.models import Company, JobApplication

# Each group shows this many; the lists and pages have their own filters for more.
PER_GROUP = 20
MAX_QUERY = 100


def _every_word(queryset: QuerySet, words: list[str], fields: tuple[str, ...]) -> QuerySet:
    """Rows in which each word appears in at least one of `fields` (ignoring case)."""
    for word in words:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(any_field)
    return queryset


def search_everything(owner, text: str) -> dict[str, list]:
    """The owner's applications, contacts, companies and interactions matching `text`."""
    words = text.split()[:8]
    if not words:
        return {}
    return {
        "applications": list(
            _every_word(
                JobApplication.objects.filter(owner=owner).select_related("company"),
                words,
                ("title", "company__name", "notes"),
            )[:PER_GROUP]
        ),
        "contacts": list(
            _every_word(
                Contact.objects.filter(owner=owner).select_related("company"),
                words,
                ("first_name", "last_name", "email", "title", "company__name", "notes"),
            )[:PER_GROUP]
        ),
        "companies": list(
            _every_word(Company.objects.filter(owner=owner), words, ("name", "notes"))[:PER_GROUP]
        ),
        "interactions": list(
            _every_word(
                Interaction.objects.filter(owner=owner).select_related("contact"),
                words,
                ("subject", "body", "contact__first_name", "contact__last_name"),
            )[:PER_GROUP]
        ),
    }


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """?q=…: every group with its matches; a word too short or too long says so."""
    text = " ".join(request.GET.get("q", "").split())
    error = ""
    results: dict[str, list] = {}
    if len(text) > MAX_QUERY:
        error = f"Search for at most {MAX_QUERY} characters."
    elif text and len(text) < 2:
        error = "Type at least two letters."
    elif text:
        results = search_everything(request.user, text)
    context = {
        "q": text,
        "error": error,
        "results": results,
        "found": sum(len(rows) for rows in results.values()),
        "per_group": PER_GROUP,
    }
    return render(request, "followups/search/search.html", context)
