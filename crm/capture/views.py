"""Pages of posting capture: paste a link, the bookmarklet's endpoint, and the review of
a capture as a pre-filled application form the user confirms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

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
        "notes": posting.notes_text,
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
# Three steps, crm/capture/bookmarklet.py: the cross-site post with the key gets a relay
# page (no write); the relay page posts with the session, Django's CSRF token and a
# one-time ticket (the draft); the review page shows the draft once.


def _refused(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "crm/capture/refused.html", {"message": message}, status=status)


@csrf_exempt  # a cross-site post cannot carry Django's token; it writes nothing (step 1)
@login_not_required  # the session cookie is withheld on a cross-site POST
@require_POST
def bookmarklet_capture(request: HttpRequest) -> HttpResponse:
    """What the bookmarklet posts: a same-origin page that posts it on with a ticket."""
    owner = bookmarklet.owner_of_token(request.POST.get("token"))
    if owner is None:
        return HttpResponseForbidden(
            "This bookmarklet is out of date or not yours. Open the applications page of "
            "Follow-up CRM and drag the “Save to Follow-up CRM” link to your bookmarks again.",
            content_type="text/plain; charset=utf-8",
        )
    context = {
        "ticket": bookmarklet.issue_ticket(owner),
        "sent": bookmarklet.sent_fields(request.POST),
    }
    response = render(request, "crm/capture/relay.html", context)
    response["Cache-Control"] = "no-store"
    return response


@login_not_required  # answers "not logged in" to the relay page instead of a redirect
@require_GET
def bookmarklet_csrf(request: HttpRequest) -> JsonResponse:
    """Django's CSRF token for the relay page's form (same origin only: no CORS)."""
    logged_in = request.user.is_authenticated
    answer = {"logged_in": logged_in, "csrf_token": get_token(request) if logged_in else ""}
    response = JsonResponse(answer)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def bookmarklet_receive(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The relay page's post (session + CSRF): redeems the ticket, then the review page."""
    posting = bookmarklet.read_sent(request.POST)
    initial = initial_from(posting, str(request.POST.get("url", ""))[:2000])
    initial["found_in"] = posting.found_in
    try:
        draft = bookmarklet.redeem_ticket(request.POST.get("ticket"), request.user, initial)
    except bookmarklet.TicketRefused as refusal:
        return _refused(request, str(refusal), status=refusal.status)
    return redirect("crm:capture-review", key=draft.key)


def capture_review(request: AuthenticatedHttpRequest, key: str) -> HttpResponse:
    """The pre-filled form of a bookmarklet capture (single use)."""
    draft = get_object_or_404(CaptureDraft, key=key, owner=request.user)
    initial = bookmarklet.open_draft(draft)
    if initial is None:
        return _refused(
            request,
            "This capture was opened already; its form is in the tab where it first "
            f"opened. {bookmarklet.AGAIN}",
            status=410,
        )
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
