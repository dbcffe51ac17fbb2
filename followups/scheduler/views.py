"""Reminder-email endpoints that work without a session: unsubscribe and /healthz."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.crypto import constant_time_compare
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from crm.models import Profile
from crm.storage import check_writable, storage_fault
from followups import scheduler
from followups.mailbox.health import health as mailbox_health
from followups.scheduler import emails

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Unsubscribe ---------------------------------------------------------------------------

WHAT_STOPS = {emails.REMINDERS: "reminder emails", emails.DIGEST: "the daily digest"}


def turn_off(user: User, kind: str) -> None:
    """Switches off the emails an unsubscribe link was sent with."""
    profile = Profile.for_user(user)
    if kind == emails.DIGEST:
        profile.digest_hour = None
        profile.save(update_fields=["digest_hour"])
    else:
        profile.email_reminders = False
        profile.save(update_fields=["email_reminders"])


@login_not_required
@csrf_exempt  # RFC 8058: the mail provider POSTs the one-click request, with no session
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks for confirmation (link scanners must not unsubscribe); POST turns off."""
    try:
        user_id, kind = emails.read_unsubscribe_token(token)
        user = get_user_model().objects.get(pk=user_id, is_active=True)
    except (signing.BadSignature, get_user_model().DoesNotExist, ValueError):
        return render(request, "followups/scheduler/unsubscribe_invalid.html", status=400)
    context = {"what": WHAT_STOPS[kind], "kind": kind, "done": request.method == "POST"}
    if request.method == "POST":
        turn_off(user, kind)
    return render(request, "followups/scheduler/unsubscribe.html", context)


# Health --------------------------------------------------------------------------------


def _may_see_details(request: HttpRequest) -> bool:
    """The counts and times are for the operator's monitor: with HEALTHZ_TOKEN set, sent
    as `Authorization: Bearer <token>` or `?token=`. Anonymous visitors learn ok/stale."""
    expected = settings.HEALTHZ_TOKEN
    if not expected:
        return False
    header = request.headers.get("Authorization", "")
    given = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    given = given or request.GET.get("token", "")
    return bool(given) and constant_time_compare(given, expected)


@login_not_required
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the scheduler ticks; 503 when no tick has run for STALE_AFTER, or when the
    storage takes no writes (then the hint says that, not "start the worker")."""
    details = _may_see_details(request)
    try:
        fault = check_writable()
        state = scheduler.health()
    except DatabaseError as exc:
        if (fault := storage_fault(exc)) is None:
            raise
    if fault is not None:
        hint = fault.message if details else fault.public
        return JsonResponse({"status": "stale", "storage": fault.kind, "hint": hint}, status=503)
    body: dict[str, object] = {"status": "stale" if state.stale else "ok"}
    if details:
        body |= {
            "last_tick_at": state.last_tick_at.isoformat() if state.last_tick_at else None,
            "last_tick_age_seconds": int(state.age.total_seconds()) if state.age else None,
            "overdue_unsent_reminders": state.overdue_unsent,
            "reminders_retrying": state.retrying,
            "reminders_given_up": state.given_up,
            "last_tick_note": state.last_note,
            # Mailbox sync's state (followups/mailbox/health.py); it does not change the status.
            "mailboxes": mailbox_health(),
        }
    if state.stale:
        body["hint"] = (
            "Reminders are not going out: start the worker with python manage.py qcluster"
        )
    return JsonResponse(body, status=503 if state.stale else 200)
