"""Pages of mailbox sync: Preferences → Mailbox, and the Inbox triage page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.timezone import now
from django.views.decorators.http import require_http_methods, require_POST

from crm.http import AuthenticatedHttpRequest
from followups.mailbox import transport, triage
from followups.mailbox.forms import MailboxForm, confirm_form
from followups.mailbox.sync import sync_mailbox
from followups.models import Mailbox, MailMessage
from followups.quicklog.forms import InteractionForm

# How many messages "Sync now" reads while the page waits; the schedule reads the rest.
SYNC_NOW_LIMIT = 300

# Connecting ---------------------------------------------------------------------------


def _mailbox_of(user: User) -> Mailbox | None:
    return Mailbox.objects.filter(owner=user).order_by("pk").first()


@require_http_methods(["GET", "POST"])
def mailbox_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Connect a mailbox, test the connection, see when it last synced and what it read."""
    mailbox = _mailbox_of(request.user)
    check = None
    if request.method == "POST":
        form = MailboxForm(request.POST, instance=mailbox, owner=request.user)
        if form.is_valid():
            candidate = form.mailbox()
            if request.POST.get("action") == "test":
                # Tests what is typed, saving nothing: a wrong password stays unsaved.
                check = transport.check_connection(candidate)
            else:
                candidate.save()
                messages.success(request, "Mailbox saved. Use “Sync now” or wait for the schedule.")
                return redirect("followups:mailbox")
    else:
        form = MailboxForm(instance=mailbox, owner=request.user)
    context = {
        "form": form,
        "mailbox": mailbox,
        "check": check,
        "waiting": triage.waiting_for(request.user).count(),
    }
    return render(request, "followups/mailbox/settings.html", context)


@require_POST
def mailbox_sync(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Sync now: one run while the page waits, then the Inbox page."""
    mailbox = get_object_or_404(Mailbox, owner=request.user, pk=request.POST.get("mailbox"))
    report = sync_mailbox(mailbox, limit=SYNC_NOW_LIMIT)
    level = messages.ERROR if report.error else messages.INFO
    messages.add_message(request, level, report.summary())
    if report.error or report.paused or report.busy:
        return redirect("followups:mailbox")
    return redirect("followups:inbox")


@require_POST
def mailbox_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Disconnects the mailbox: it and every message kept from it are deleted; what was
    logged as interactions stays in your history."""
    mailbox = get_object_or_404(Mailbox, owner=request.user, pk=pk)
    mailbox.delete()
    messages.success(request, "Mailbox disconnected; the messages kept from it are deleted.")
    return redirect("followups:mailbox")


# Triage -------------------------------------------------------------------------------


def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each kept message with what the app thinks it is, to confirm, change or ignore."""
    waiting = triage.waiting_for(request.user).select_related("contact__company")
    context = {"messages_waiting": waiting[:100], "mailbox": _mailbox_of(request.user)}
    return render(request, "followups/mailbox/inbox.html", context)


def _message(request: AuthenticatedHttpRequest, pk: int) -> MailMessage:
    return get_object_or_404(MailMessage, pk=pk, owner=request.user)


@require_POST
def inbox_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Confirm: logged as the app read it; if it cannot be (no name), opens Change."""
    message = _message(request, pk)
    form = confirm_form(message)
    if not form.is_valid():
        messages.warning(request, "Some details are missing; complete them and save.")
        return redirect("followups:inbox-change", message.pk)
    try:
        interaction = triage.confirm(message, form)
    except triage.AlreadyDecided as error:
        messages.info(request, str(error))
        return redirect("followups:inbox")
    return redirect("followups:log-result", interaction.pk)


@require_http_methods(["GET", "POST"])
def inbox_change(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change: the quick-log form filled from the message, saved the quick-log way."""
    message = _message(request, pk)
    if request.method == "POST" and request.POST.get("action") == "read":
        # The shared form's "Fill in from the email" button: re-read the pasted text.
        initial = InteractionForm.initial_from_paste(request.POST.get("email_text", ""), now())
        form = InteractionForm(initial=initial, owner=request.user)
    elif request.method == "POST":
        form = confirm_form(message, request.POST)
        if form.is_valid():
            try:
                interaction = triage.confirm(message, form)
            except triage.AlreadyDecided as error:
                messages.info(request, str(error))
                return redirect("followups:inbox")
            return redirect("followups:log-result", interaction.pk)
    else:
        form = confirm_form(message)
        form.errors  # noqa: B018 - validate now, so missing details show at once
    return render(request, "followups/mailbox/change.html", {"form": form, "message": message})


@require_POST
def inbox_ignore(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    message = _message(request, pk)
    try:
        triage.ignore(message)
    except triage.AlreadyDecided as error:
        messages.info(request, str(error))
    return redirect("followups:inbox")
