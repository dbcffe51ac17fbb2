"""The dashboard page and the actions on its rows: mark sent, snooze, dismiss, reopen."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.http import AuthenticatedHttpRequest
from crm.models import Profile
from followups import rules
from followups.dashboard.queries import (
    GROUP_TITLES,
    ROWS_PER_PAGE,
    due_count,
    group_filters,
    nav_badge,
    pending_followups,
)
from followups.dashboard.rows import Group, Row, group_rows, page_groups, row_context
from followups.dashboard.snooze import SnoozeForm, snooze_until
from followups.models import FollowUp, Goal, own_followup

# Dashboard --------------------------------------------------------------------------


@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Pending follow-ups by group; ?group=<key> lists one group page by page, and with
    &part=rows gives the dashboard the first rows of a group it loads on demand."""
    now = timezone.now()
    zone = Profile.for_user(request.user).zone
    key = request.GET.get("group")
    context: dict = {"now": now, **row_context(request, now, zone)}
    if key in GROUP_TITLES and request.GET.get("part") == "rows":
        context["group"] = group_rows(request.user, key, now, zone)
        return render(request, "followups/dashboard/group_rows.html", context)
    if key in GROUP_TITLES:
        queryset = pending_followups(request.user).filter(group_filters(now, zone)[key])
        page = Paginator(queryset, ROWS_PER_PAGE).get_page(request.GET.get("page"))
        context |= {
            "group": Group(key, GROUP_TITLES[key], page.paginator.count, []),
            "page": page,
            "rows": [Row(fu, now) for fu in page],
        }
        return render(request, "followups/dashboard/group.html", context)
    groups, due = page_groups(request.user, now, zone)
    context |= {
        "groups": groups,
        "total": sum(g.count for g in groups),
        # The nav badge's count came with the groups': one query fewer than base.html's.
        "nav_due_count": nav_badge(due),
    }
    # ?sent=<pk>: the draft editor just marked it sent; offer its Undo here.
    sent = request.GET.get("sent", "")
    if sent.isdigit():
        context["just_sent"] = FollowUp.objects.filter(
            pk=sent, owner=request.user, status=FollowUp.Status.DONE
        ).first()
    if not context["total"]:
        context["has_history"] = FollowUp.objects.filter(owner=request.user).exists()
    return render(request, "followups/dashboard/dashboard.html", context)


# Actions ----------------------------------------------------------------------------


def next_up(followup: FollowUp) -> list[FollowUp]:
    """What the rules scheduled next for the same person, shown once a row is done."""
    if not followup.contact_id:
        return []
    return list(
        FollowUp.objects.filter(
            owner=followup.owner, contact_id=followup.contact_id, status=FollowUp.Status.PENDING
        ).order_by("due_at")[:3]
    )


def answer(request: AuthenticatedHttpRequest, followup: FollowUp, notice: str, *, ok: bool = True):
    """The re-rendered row for htmx; a message and a redirect back otherwise."""
    now = timezone.now()
    if request.htmx:
        row = Row(followup, now, notice=notice, next_up=next_up(followup))
        context = {"row": row, "oob_due_count": nav_badge(due_count(request.user, now))}
        context |= row_context(request, now, Profile.for_user(request.user).zone)
        return render(request, "followups/dashboard/_followup_row.html", context)
    messages.add_message(request, messages.SUCCESS if ok else messages.WARNING, notice)
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("home")


def not_pending(request: AuthenticatedHttpRequest, followup: FollowUp) -> HttpResponse:
    label = followup.get_status_display().lower()
    return answer(request, followup, f"This follow-up is already {label}.", ok=False)


@require_POST
def mark_sent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Logs the draft as sent; the rules complete the follow-up and schedule what's next."""
    followup = own_followup(request.user, pk)
    if not followup.is_pending:
        return not_pending(request, followup)
    if followup.kind == FollowUp.Kind.GOAL:
        # A goal deadline is not a message to anyone: nothing to log. The goal itself is
        # done too (its reminder completes with it), so the growth page agrees.
        goal = Goal.objects.filter(followup=followup, owner=request.user).first()
        if goal is not None and goal.is_open:
            goal.mark_done()
            followup.refresh_from_db()
        elif not followup.complete(None):
            return not_pending(request, followup)
        return answer(request, followup, "Marked done.")
    try:
        sent = rules.mark_sent(followup, requests_feedback=feedback_choice(request, pk))
    except rules.FollowUpNotPending:
        # A second click (or another tab) got there first.
        followup.refresh_from_db()
        return not_pending(request, followup)
    followup.refresh_from_db()
    who = f" to {followup.contact.full_name}" if followup.contact else ""
    then = rules.whats_next_after_sending(sent, Profile.for_user(request.user).zone)
    return answer(request, followup, f"Marked sent{who}. {then}".strip())


def feedback_choice(request: HttpRequest, pk: int) -> bool | None:
    """The row's "asks for feedback" box: the user's say when the box was shown (an
    unticked box posts nothing, so a hidden field tells it was there), else None and
    the rules read it from the text."""
    if not request.POST.get(f"feedback_choice_{pk}"):
        return None
    return bool(request.POST.get(f"requests_feedback_{pk}"))


@require_http_methods(["GET", "POST"])
def snooze(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET: the choices (into the row's menu, or as a page without JavaScript); POST: snooze."""
    followup = own_followup(request.user, pk)
    now = timezone.now()
    profile = Profile.for_user(request.user)
    if request.method == "GET":
        return snooze_choices(request, followup, now, profile)
    if not followup.is_pending:
        return not_pending(request, followup)
    form = SnoozeForm(request.POST, now=now, zone=profile.zone)
    if not form.is_valid():
        errors = " ".join(str(e) for errs in form.errors.values() for e in errs)
        return answer(request, followup, f"Not snoozed: {errors}", ok=False)
    until = snooze_until(form.cleaned_data["choice"], form.cleaned_data["date"], now, profile)
    window_end = followup.deadline
    if not followup.snooze(until, now=now):
        return not_pending(request, followup)
    local = timezone.localtime(until, profile.zone)
    notice = f"Snoozed until {local:%a %-d %b, %H:%M}."
    if window_end is not None and window_end < until:
        ended = timezone.localtime(window_end, profile.zone)
        notice += f" That is past its original window, which ended {ended:%a %-d %b, %H:%M}."
    return answer(request, followup, notice)


def snooze_choices(
    request: AuthenticatedHttpRequest, followup: FollowUp, now: datetime, profile: Profile
) -> HttpResponse:
    context = {
        "followup": followup,
        "row": Row(followup, now),
        "snooze_url": request.path,
        **row_context(request, now, profile.zone),
    }
    if request.htmx:
        return render(request, "followups/dashboard/snooze_options.html", context)
    target = request.GET.get("next", "")
    safe = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    context["next_path"] = target if safe and target else "/"
    return render(request, "followups/dashboard/snooze.html", context)


@require_POST
def dismiss(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    followup = own_followup(request.user, pk)
    if not followup.is_pending:
        return not_pending(request, followup)
    if not followup.dismiss():
        return not_pending(request, followup)
    return answer(request, followup, "Dismissed.")


@require_POST
def undo_sent(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Undo of mark sent (or mark done): what was logged goes, and the follow-up is back."""
    followup = own_followup(request.user, pk)
    if followup.status != FollowUp.Status.DONE:
        return answer(request, followup, "Only a follow-up marked sent can be undone.", ok=False)
    if followup.kind == FollowUp.Kind.GOAL:
        goal = Goal.objects.filter(followup=followup, owner=request.user).first()
        if goal is not None and not goal.is_open:
            goal.reopen()
        else:
            followup.reopen()
    elif not rules.undo_sent(followup):
        followup.refresh_from_db()
        return answer(request, followup, "This one cannot be undone any more.", ok=False)
    followup.refresh_from_db()
    return answer(request, followup, "Back on your list: nothing is logged as sent.")


@require_POST
def reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Undo of a dismiss."""
    followup = own_followup(request.user, pk)
    if followup.status != FollowUp.Status.DISMISSED:
        return answer(request, followup, "Only a dismissed follow-up can be undone.", ok=False)
    try:
        with transaction.atomic():
            reopened = followup.reopen()
    except IntegrityError:
        # A check-in scheduled by the rules between reopen's check and its update.
        reopened = False
    if not reopened:
        # A contact keeps one pending check-in: reopen refuses when a newer one exists.
        followup.refresh_from_db()
        if followup.kind != FollowUp.Kind.CHECK_IN:
            return not_pending(request, followup)
        return answer(request, followup, "A newer check-in is already pending.", ok=False)
    return answer(request, followup, "Back on your list.")
