"""Calendar feed: the page with the secret URL, regenerating it, and the feed itself."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import condition, require_POST, require_safe

from crm.http import AuthenticatedHttpRequest
from crm.models import Profile
from followups.calendar.feed import FEED_LIMIT, FeedVersion, feed_bytes, feed_version


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


class FeedRequest(HttpRequest):
    """The feed's request, for type annotations: `_version` caches the profile and the
    feed's version on it (the object is Django's own request: never instantiated)."""

    _feed_profile: Profile | None
    _feed_version: FeedVersion | None


def _version(request: FeedRequest, token: str) -> FeedVersion | None:
    """The feed's version, computed once per request (ETag and Last-Modified both ask)."""
    if not hasattr(request, "_feed_version"):
        profile = Profile.objects.select_related("user").filter(calendar_token=token).first()
        request._feed_profile = profile
        request._feed_version = (
            feed_version(profile.user, now=timezone.now()) if profile is not None else None
        )
    return request._feed_version


def _etag(request: FeedRequest, token: str) -> str | None:
    version = _version(request, token)
    return version.etag if version else None


def _last_modified(request: FeedRequest, token: str) -> datetime | None:
    version = _version(request, token)
    return version.last_modified if version else None


@condition(etag_func=_etag, last_modified_func=_last_modified)
def _feed(request: FeedRequest, token: str) -> HttpResponse:
    # Building a feed of thousands of events takes seconds; `condition` answers an
    # unchanged one (If-None-Match, If-Modified-Since) with 304 before getting here.
    profile, version = request._feed_profile, request._feed_version
    if profile is None or version is None:  # calendar_feed answered 404 already
        raise Http404("No such calendar.")
    response = HttpResponse(
        feed_bytes(profile.user, version, now=timezone.now()),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'inline; filename="followups.ics"'
    return response


@login_not_required  # calendar apps cannot log in: the secret token is the credential
@require_safe
def calendar_feed(request: FeedRequest, token: str) -> HttpResponse:
    """The feed; GET and HEAD, conditional on its ETag and Last-Modified."""
    if _version(request, token) is None:
        raise Http404("No such calendar.")
    response = _feed(request, token)
    # The URL is a secret: keep it out of shared caches. On the 304 too (RFC 9110 §15.4.5).
    response["Cache-Control"] = "private, max-age=300"
    return response
