"""Stats: how the search is going, drawn as server-rendered SVG bars."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from crm.http import AuthenticatedHttpRequest
from followups.stats import summary as stats


def stats_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Funnel, reply speed against the 48-hour target, feedback answers, punctuality."""
    now = timezone.now()
    pending = stats.pending_figures(request.user, now)
    context = {
        "funnel": stats.pipeline_funnel(request.user),
        "reply_speed": stats.reply_speed(request.user, now, pending=pending),
        "feedback": stats.feedback_answers(request.user),
        "punctuality": stats.punctuality(request.user, now, pending=pending),
        "target_hours": stats.REPLY_TARGET_HOURS,
    }
    return render(request, "followups/stats/stats.html", context)
