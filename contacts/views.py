"""Contacts: the filtered list, the detail page with its timeline, forms and toggles."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.timezone import localtime
from django.views.decorators.http import require_POST

from contacts.forms import (
    CadenceForm,
    ContactFilterForm,
    ContactForm,
    DoNotContactForm,
    InteractionForm,
)
from contacts.lists import contact_timeline, contacts_for, search_contacts
from contacts.models import Contact, Interaction
from crm.http import AuthenticatedHttpRequest
from crm.models import Company
from crm.timeline import TimelineEntry

LIST_PAGE_SIZE = 25


# List and detail ----------------------------------------------------------------------


def contact_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Search and filters (role, company, overdue check-in, quiet for N days), paginated."""
    now = timezone.now()
    form = ContactFilterForm(request.GET, owner=request.user)
    queryset = search_contacts(contacts_for(request.user, now), now, **form.filters())
    page = Paginator(queryset, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "contacts/contact_list.html", context)


def next_check_in(timeline: list[TimelineEntry]):
    """The pending check-in among the timeline's follow-ups (at most one: docs/rules.md#r6)."""
    for entry in timeline:
        item = entry.item
        # crm and contacts never import followups: the kind comes with the row's model.
        if entry.type == "followup" and item.is_pending and item.kind == item.Kind.CHECK_IN:
            return item
    return None


def _page_number(value: str | None) -> int:
    """A page number from the query string; anything else is the first page."""
    try:
        return max(1, min(int(value or 1), 10_000))
    except ValueError:
        return 1


def contact_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The contact, its cadence and do-not-contact controls, and one timeline."""
    contact = get_object_or_404(contacts_for(request.user, timezone.now()), pk=pk)
    timeline = contact_timeline(contact, _page_number(request.GET.get("timeline")))
    check_in = next_check_in(timeline.entries)
    if check_in is None and timeline.number > 1:  # pending check-ins sit on the first page
        check_in = next_check_in(contact_timeline(contact).entries)
    context = {
        "contact": contact,
        "applications": contact.applications.select_related("company"),
        "timeline": timeline.entries,
        "timeline_page": timeline,
        "next_check_in": check_in,
        "cadence_form": CadenceForm(initial={"check_in_months": contact.check_in_months}),
    }
    return render(request, "contacts/contact_detail.html", context)


# Create and edit ----------------------------------------------------------------------


def contact_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _contact_form(request, Contact())


def contact_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _contact_form(request, get_object_or_404(Contact, pk=pk, owner=request.user))


def _contact_form(request: AuthenticatedHttpRequest, contact: Contact) -> HttpResponse:
    form = ContactForm(request.POST or None, instance=contact, owner=request.user)
    if request.method == "POST" and form.is_valid():
        contact = form.save()
        messages.success(request, f"Saved {contact.full_name}.")
        return redirect("contacts:detail", pk=contact.pk)
    context = {"form": form, "contact": contact, "companies": Company.names_of(request.user)}
    return render(request, "contacts/contact_form.html", context)


# Cadence and do-not-contact -----------------------------------------------------------


@require_POST
def contact_cadence(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Sets "check in every N months"; the rules move or cancel the pending check-in."""
    contact = get_object_or_404(Contact, pk=pk, owner=request.user)
    form = CadenceForm(request.POST)
    if form.is_valid():
        contact.check_in_months = form.cleaned_data["check_in_months"]
        contact.save()
        messages.success(request, "Check-in cadence saved.")
        return redirect("contacts:detail", pk=contact.pk)
    for error in form.errors.get("check_in_months", []):
        messages.error(request, f"Check-in cadence not saved: {error}")
    return redirect("contacts:detail", pk=contact.pk)


@require_POST
def contact_do_not_contact(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Turns do-not-contact on (cancels every pending follow-up) or off."""
    contact = get_object_or_404(Contact, pk=pk, owner=request.user)
    form = DoNotContactForm(request.POST)
    form.is_valid()  # a missing box means "off", like an unticked checkbox
    contact.do_not_contact = form.cleaned_data.get("do_not_contact", False)
    contact.save()
    state = "on" if contact.do_not_contact else "off"
    messages.success(request, f"Do not contact is {state} for {contact.full_name}.")
    return redirect("contacts:detail", pk=contact.pk)


# Interactions -------------------------------------------------------------------------


def _short(moment: datetime) -> str:
    # Not %-d: that strftime flag exists on Linux and macOS only.
    return f"{moment:%a} {moment.day} {moment:%b, %H:%M}"


def logged_message(interaction: Interaction) -> str:
    """What was logged and which follow-ups the rules scheduled because of it."""
    # The rules run in the save's post_save signal, so the follow-ups exist by now.
    pending = interaction.caused_followups.model.Status.PENDING
    scheduled = interaction.caused_followups.filter(status=pending).order_by("due_at")
    text = f"Logged: {interaction.get_kind_display()}."
    names = [f"{f.get_kind_display()} (due {_short(localtime(f.due_at))})" for f in scheduled]
    return f"{text} Scheduled: {'; '.join(names)}." if names else text


def contact_log_interaction(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A plain form logging one interaction with this contact."""
    contact = get_object_or_404(Contact, pk=pk, owner=request.user)
    form = InteractionForm(request.POST or None, owner=request.user, contact=contact)
    if request.method == "POST" and form.is_valid():
        interaction = form.save()
        messages.success(request, logged_message(interaction))
        return redirect("contacts:detail", pk=contact.pk)
    return render(request, "contacts/interaction_form.html", {"form": form, "contact": contact})
