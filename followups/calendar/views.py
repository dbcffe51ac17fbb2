"""Calendar feed: the page with the secret URL, regenerating it, and the feed itself."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from crm.http import AuthenticatedHttpRequest
from crm.models import Profile
from followups.calendar.feed import FEED_LIMIT, build_feed, feed_etag


def calendar_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Shows the feed URL to paste into a calendar app."""
    profile = Profile.for_user(request.user)
    path = reverse("followups:calendar-feed", args=[profile.calendar_token])
    context = {"feed_url": settings.SITE_URL + path, "feed_limit": FEED_LIMIT}
    return render(request, "followups/calendar/calendar.html", context)


@require_POST
def calendar_regenerate(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A new secret URL; the old one answers 404 from now on."""
    Profile.for_user(request.user).regenerate_calendar_token()
    messages.success(request, "Your calendar has a new address. Update it in your calendar app.")
    return redirect("followups:calendar")


@login_not_required  # calendar apps cannot log in: the secret token is the credential
@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    profile = get_object_or_404(Profile.objects.select_related("user"), calendar_token=token)
    now = timezone.now()
    etag = feed_etag(profile.user, now=now)
    # Building a feed of thousands of events takes seconds; an unchanged one is not rebuilt.
    if etag in request.headers.get("If-None-Match", ""):
        return HttpResponseNotModified(headers={"ETag": etag})
    response = HttpResponse(
        build_feed(profile.user, now=now), content_type="text/calendar; charset=utf-8"
    )
    response["ETag"] = etag
    response["Content-Disposition"] = 'inline; filename="followups.ics"'
    # The URL is a secret: keep it out of shared caches.
    response["Cache-Control"] = "private, max-age=300"
    return response
