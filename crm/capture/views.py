"""Pages of posting capture: paste a link, the bookmarklet's endpoint, and the review of
a capture as a pre-filled application form the user confirms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from crm.capture import bookmarklet
from crm.capture.duplicates import find_by_url, find_duplicate, saved_and_applied
from crm.capture.fetch import FetchRefused
from crm.capture.forms import CaptureLinkForm
from crm.capture.link import capture_link, normalise_url
from crm.capture.structured import Posting
from crm.forms import ApplicationForm
from crm.http import AuthenticatedHttpRequest
from crm.models import CaptureDraft, Company, JobApplication

# Helpers ------------------------------------------------------------------------------


def initial_from(posting: Posting, url: str) -> dict:
    """The application form's initial values for a captured posting (JSON-safe, so a
    bookmarklet capture can wait in a CaptureDraft)."""
    return {
        "company_name": posting.company,
        "title": posting.title,
        "status": JobApplication.Status.WISHLIST,
        "posting_url": normalise_url(url),
        "location": posting.location,
        "remote": posting.remote or "",
        "employment_type": posting.employment_type,
        "salary_min": posting.salary_min,
        "salary_max": posting.salary_max,
        "salary_currency": posting.salary_currency,
        "salary_period": posting.salary_period,
        "closing_date": posting.closing_date.isoformat() if posting.closing_date else "",
        "source": posting.source,
        "description": posting.description,
        "notes": posting.notes,
    }


def _open_existing(request: HttpRequest, existing: JobApplication) -> HttpResponse:
    """A second capture of the same posting opens the application saved the first time."""
    messages.info(request, saved_and_applied(existing))
    return redirect("crm:application-detail", pk=existing.pk)


def _review(request: AuthenticatedHttpRequest, initial: dict, found_in: list[str]) -> HttpResponse:
    form = ApplicationForm(initial=initial, owner=request.user)
    duplicate = find_duplicate(
        request.user,
        url=initial.get("posting_url", ""),
        company=initial.get("company_name", ""),
        title=initial.get("title", ""),
    )
    context = {
        "form": form,
        "found_in": found_in,
        "duplicate": duplicate,
        "companies": list(
            Company.objects.filter(owner=request.user).values_list("name", flat=True)
        ),
    }
    return render(request, "crm/capture/review.html", context)


# Capture from a link ------------------------------------------------------------------


def capture_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Paste a link: the server reads the posting and shows the pre-filled form."""
    form = CaptureLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        url = form.cleaned_data["url"]
        existing = find_by_url(request.user, url)
        if existing is not None:
            return _open_existing(request, existing)
        try:
            posting = capture_link(url)
        except FetchRefused as refusal:
            form.add_error("url", str(refusal))
        else:
            return _review(request, initial_from(posting, url), posting.found_in)
    return render(request, "crm/capture/capture.html", {"form": form})


# The bookmarklet ----------------------------------------------------------------------


@csrf_exempt  # checked instead by the bookmarklet's secret token (crm/capture/bookmarklet.py)
@login_not_required  # the session cookie is often withheld on a cross-site POST
@require_POST
def bookmarklet_capture(request: HttpRequest) -> HttpResponse:
    """What the bookmarklet posts: kept as a draft, then the review page in this tab."""
    owner = bookmarklet.owner_of_token(request.POST.get("token"))
    if owner is None:
        return HttpResponseForbidden(
            "This bookmarklet is out of date or not yours. Open the applications page of "
            "Follow-up CRM and drag the “Save to Follow-up CRM” link to your bookmarks again.",
            content_type="text/plain; charset=utf-8",
        )
    if request.user.is_authenticated and request.user.pk != owner.pk:
        return HttpResponseForbidden(
            "This bookmarklet belongs to another account than the one logged in.",
            content_type="text/plain; charset=utf-8",
        )
    posting = bookmarklet.read_sent(request.POST)
    url = str(request.POST.get("url", ""))[:2000]
    initial = initial_from(posting, url)
    initial["found_in"] = posting.found_in
    draft = bookmarklet.store_draft(owner, initial)
    return redirect("crm:capture-review", key=draft.key)


def capture_review(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    """The pre-filled form of a bookmarklet capture (single use)."""
    draft = get_object_or_404(CaptureDraft, key=key, owner=request.user)
    initial = dict(draft.data)
    draft.delete()
    found_in = initial.pop("found_in", [])
    existing = find_by_url(request.user, initial.get("posting_url", ""))
    if existing is not None:
        return _open_existing(request, existing)
    return _review(request, initial, found_in if isinstance(found_in, list) else [])


@require_POST
def bookmarklet_new_token(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A new secret: every copy of the old bookmarklet stops working."""
    bookmarklet.regenerate_token(request.user)
    messages.success(
        request,
        "Made a new bookmarklet; drag it to your bookmarks bar again and delete the old one.",
    )
    return redirect("crm:capture")
