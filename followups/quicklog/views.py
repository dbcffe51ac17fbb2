"""Quick logging: a rejection or any interaction, pre-filled from a pasted email.

Two steps on one page, both plain POSTs: "Fill in from the email" re-shows the form with
what the email told, "Save" logs it and shows the follow-ups the rules scheduled.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from contacts.models import Interaction
from crm.http import AuthenticatedHttpRequest
from crm.models import JobApplication, Profile
from followups.dashboard import Row, row_context
from followups.models import FollowUp, FollowUpEvent
from followups.quicklog.effects import kind_effects
from followups.quicklog.forms import InteractionForm, QuickLogForm, RejectionForm

# Logging ----------------------------------------------------------------------------------


def log_page(
    request: AuthenticatedHttpRequest, form_class: type[QuickLogForm], template: str
) -> HttpResponse:
    now = timezone.now()
    filled = request.method == "POST" and request.POST.get("action") == "read"
    logged_before = None
    if filled:
        initial = form_class.initial_from_paste(request.POST.get("email_text", ""), now)
        form = form_class(initial=initial, owner=request.user)
        logged_before = form.logged_before()
    elif request.method == "POST":
        form = form_class(request.POST, owner=request.user)
        if form.is_valid():
            logged_before = form.logged_before()
            if logged_before is not None:
                # The same email again: nothing new, and no second reply scheduled.
                messages.info(request, "You logged this email already; nothing new was saved.")
                return redirect("followups:log-result", logged_before.pk)
            interaction = form.save()
            # The result page says what was logged; no flash message repeating it.
            return redirect("followups:log-result", interaction.pk)
    else:
        initial = {"occurred_at": now, **initial_for_application(request)}
        form = form_class(initial=initial, owner=request.user)
    context = {
        "form": form,
        "filled": filled,
        "logged_before": logged_before,
        "kind_effects": kind_effects(Profile.for_user(request.user)),
    }
    return render(request, template, context)


def initial_for_application(request: AuthenticatedHttpRequest) -> dict:
    """?application=<pk> (the board's "Log the rejection"): its company, job and contact."""
    pk = request.GET.get("application", "")
    application = (
        JobApplication.objects.filter(owner=request.user, pk=pk).select_related("company").first()
        if pk.isdigit()
        else None
    )
    if application is None:
        return {}
    initial = {"company_name": application.company.name, "job_title": application.title}
    contact = application.contacts.filter(owner=request.user).order_by("pk").first()
    if contact is not None:
        initial |= {"contact_name": contact.full_name, "contact_email": contact.email}
    return initial


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
