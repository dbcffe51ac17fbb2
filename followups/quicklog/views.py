"""Quick logging: a rejection or any interaction, pre-filled from a pasted email.

Two steps on one page, both plain POSTs: "Fill in from the email" re-shows the form with
what the email told, "Save" logs it and shows the follow-ups the rules scheduled.
"""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from contacts.models import Interaction
from crm.http import AuthenticatedHttpRequest
from crm.models import Profile
from followups.dashboard import Row, row_context
from followups.models import FollowUp, FollowUpEvent
from followups.quicklog.forms import InteractionForm, QuickLogForm, RejectionForm

# Logging ----------------------------------------------------------------------------------


def log_page(
    request: AuthenticatedHttpRequest, form_class: type[QuickLogForm], template: str
) -> HttpResponse:
    now = timezone.now()
    filled = request.method == "POST" and request.POST.get("action") == "read"
    if filled:
        initial = form_class.initial_from_paste(request.POST.get("email_text", ""), now)
        form = form_class(initial=initial, owner=request.user)
    elif request.method == "POST":
        form = form_class(request.POST, owner=request.user)
        if form.is_valid():
            interaction = form.save()
            # The result page says what was logged; no flash message repeating it.
            return redirect("followups:log-result", interaction.pk)
    else:
        form = form_class(initial={"occurred_at": now}, owner=request.user)
    return render(request, template, {"form": form, "filled": filled})


@require_http_methods(["GET", "POST"])
def log_rejection(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A rejection they sent you; the rules schedule your reply."""
    return log_page(request, RejectionForm, "followups/quicklog/rejection.html")


@require_http_methods(["GET", "POST"])
def log_interaction(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Any conversation, inbound or outbound."""
    return log_page(request, InteractionForm, "followups/quicklog/interaction.html")


# After saving --------------------------------------------------------------------------


@require_GET
def log_result(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """What the logged interaction changed: follow-ups now pending, and those it settled."""
    interaction = get_object_or_404(
        Interaction.objects.select_related("contact", "application__company"),
        pk=pk,
        owner=request.user,
    )
    now = timezone.now()
    related = Q(source=interaction)
    if interaction.contact_id:
        related |= Q(contact_id=interaction.contact_id)
    pending = (
        FollowUp.objects.filter(related, owner=request.user, status=FollowUp.Status.PENDING)
        .select_related("contact__company", "application__company")
        .order_by("due_at")
    )
    settled = (
        FollowUpEvent.objects.filter(interaction=interaction, followup__owner=request.user)
        .exclude(new_status=FollowUp.Status.PENDING)
        .select_related("followup__contact")
    )
    zone = Profile.for_user(request.user).zone
    context = {
        "interaction": interaction,
        "rows": [Row(fu, now) for fu in pending],
        "settled": settled,
        **row_context(request, now, zone),
    }
    return render(request, "followups/quicklog/result.html", context)
