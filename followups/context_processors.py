"""Template context every page gets from the followups app."""

from __future__ import annotations

from functools import cache

from django.http import HttpRequest
from django.utils import timezone

from followups import dashboard
from followups.scheduler import SchedulerBanner


def due_count(request: HttpRequest) -> dict:
    """`nav_due_count`: the nav badge's count of due follow-ups, as it shows it ("3",
    "99+", or "" when none is due).

    A callable, so the query runs only on pages that render the badge (not on htmx
    fragments or redirects), and at most once per request.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    @cache
    def count() -> str:
        return dashboard.nav_badge(dashboard.due_count(user, timezone.now()))

    return {"nav_due_count": count}


def scheduler_health(request: HttpRequest) -> dict:
    """`scheduler_banner`: whether reminders are going out, for the banner on every page.

    Lazy and one query (see SchedulerBanner), and only for signed-in users: the login
    page does not tell strangers about the worker.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"scheduler_banner": SchedulerBanner(user)}
