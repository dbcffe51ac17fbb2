"""The draft editor of a follow-up and the page of the user's template overrides."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from crm.http import AuthenticatedHttpRequest
from crm.security.weburls import web_url_or_empty
from followups import drafts, rules
from followups.drafts.forms import MAX_BODY_CHARS, DraftForm, ReplyTemplateForm
from followups.drafts.library import builtin, variants_for
from followups.models import FollowUp, ReplyTemplate, own_followup

# Draft editor -------------------------------------------------------------------------


def draft_editor(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Edit a follow-up's draft with live checks; save it, or mark it sent."""
    followup = own_followup(request.user, pk)
    if request.method == "POST":
        form = DraftForm(request.POST)
        if form.is_valid():
            subject, body = form.cleaned_data["subject"], form.cleaned_data["body"]
            drafts.save_draft(followup, subject, body)
            if "mark_sent" in request.POST:
                return _mark_sent(request, followup, subject, body)
            messages.success(request, "Draft saved.")
            return redirect("followups:draft", pk=followup.pk)
        subject, body = request.POST.get("subject", ""), request.POST.get("body", "")
        asks = _feedback_choice(request)
    else:
        subject, body = drafts.initial_draft(followup, start=request.GET.get("start"))
        form = DraftForm(initial={"subject": subject, "body": body})
        asks = None
    context = {
        "asks_for_feedback": drafts.asks_for_feedback(f"{subject}\n{body}")
        if asks is None
        else asks,
        "offers_feedback_choice": followup.kind
        not in (FollowUp.Kind.GOAL, FollowUp.Kind.FEEDBACK_NUDGE),
        "followup": followup,
        "form": form,
        "variants": variants_for(followup.kind),
        "has_override": drafts.user_override(request.user, followup.kind) is not None,
        **_draft_extras(followup, subject, body),
    }
    return render(request, "followups/drafts/editor.html", context)


@require_POST
def draft_check(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The findings (and a fresh mail link) for the text being typed; htmx calls it."""
    followup = own_followup(request.user, pk)
    subject, body = request.POST.get("subject", ""), request.POST.get("body", "")
    context = {"followup": followup, "oob": True, **_draft_extras(followup, subject, body)}
    return render(request, "followups/drafts/findings.html", context)


@require_POST
def draft_dismiss(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Sets one finding aside for this draft ("restore" shows them all again)."""
    followup = own_followup(request.user, pk)
    if "restore" in request.POST:
        drafts.restore_findings(followup)
    elif request.POST.get("key"):
        drafts.dismiss_finding(followup, request.POST["key"])
    return draft_check(request, pk)


def _draft_extras(followup: FollowUp, subject: str, body: str) -> dict:
    # An over-long post is a field error; the checker still only reads a bounded amount.
    subject, body = subject[:1000], body[: MAX_BODY_CHARS * 2]
    contact = followup.contact
    return {
        "findings": drafts.check_followup_draft(followup, subject, body),
        "dismissed": len(followup.dismissed_findings or ()),
        "size": drafts.size_note(body, channel=drafts.channel_of(followup)),
        "mailto": drafts.mailto_url(contact.email, subject, body)
        if contact and contact.email
        else "",
        # Only web links: an imported row could hold a javascript: URL.
        "linkedin_url": web_url_or_empty(contact.linkedin_url) if contact else "",
    }


def _feedback_choice(request: AuthenticatedHttpRequest) -> bool | None:
    """The editor's "asks for feedback" box (None when the page did not show it)."""
    if not request.POST.get("feedback_choice"):
        return None
    return bool(request.POST.get("requests_feedback"))


def _mark_sent(request: AuthenticatedHttpRequest, followup: FollowUp, subject: str, body: str):
    # The rules engine owns what "sent" means: which interaction to log, what it completes.
    from crm.models import Profile

    try:
        sent = rules.mark_sent(
            followup, subject=subject, body=body, requests_feedback=_feedback_choice(request)
        )
    except rules.FollowUpNotPending as exc:
        messages.error(request, f"Draft saved, but not marked sent: {exc}")
        return redirect("followups:draft", pk=followup.pk)
    who = f" to {followup.contact.full_name}" if followup.contact else ""
    then = rules.whats_next_after_sending(sent, Profile.for_user(request.user).zone)
    messages.success(request, f"Marked sent{who}: {followup.get_kind_display()}. {then}".strip())
    # The dashboard offers the Undo for it, as it does after its own mark sent.
    return redirect(f"{reverse('home')}?sent={followup.pk}")


# Template overrides -------------------------------------------------------------------


def templates_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every kind with the template its drafts use: the user's own or the built-in."""
    overrides = {t.kind: t for t in ReplyTemplate.objects.filter(owner=request.user)}
    kinds = [
        {
            "kind": kind,
            "label": label,
            "override": overrides.get(kind),
            "default": builtin(kind),
            "variants": variants_for(kind),
        }
        for kind, label in FollowUp.Kind.choices
    ]
    return render(request, "followups/drafts/templates_list.html", {"kinds": kinds})


def _kind_or_404(kind: str) -> str:
    if kind not in FollowUp.Kind.values:
        raise Http404("No such follow-up kind.")
    return kind


def template_edit(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    """Edit the user's template for `kind`, starting from theirs or a built-in variant."""
    kind = _kind_or_404(kind)
    override = drafts.user_override(request.user, kind)
    instance = override or ReplyTemplate(owner=request.user, kind=kind)
    if request.method == "POST":
        form = ReplyTemplateForm(request.POST, instance=instance)
        if form.is_valid():
            form.instance.channel = drafts.channel_for_kind(kind)
            form.save()
            messages.success(request, "Your template is saved; new drafts use it.")
            return redirect("followups:templates")
    else:
        start = builtin(kind, request.GET.get("start"))
        if override is None or request.GET.get("start"):
            initial = {"subject": start.subject, "body": start.body, "variant": start.variant}
            form = ReplyTemplateForm(instance=instance, initial=initial)
        else:
            form = ReplyTemplateForm(instance=instance)
    subject = form["subject"].value() or ""
    body = form["body"].value() or ""
    context = {
        "kind": kind,
        "kind_label": FollowUp.Kind(kind).label,
        "form": form,
        "override": override,
        "variants": variants_for(kind),
        "samples": drafts.preview_followups(request.user, kind),
        **drafts.preview(request.user, kind, subject, body, sample=None),
    }
    return render(request, "followups/drafts/templates_edit.html", context)


@require_POST
def template_preview(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    """The template being typed, filled for one of the user's follow-ups; htmx calls it."""
    kind = _kind_or_404(kind)
    sample = request.POST.get("sample", "")
    subject = request.POST.get("subject", "")[:1000]
    body = request.POST.get("body", "")[: MAX_BODY_CHARS * 2]
    context = drafts.preview(request.user, kind, subject, body, sample=sample)
    return render(request, "followups/drafts/templates_preview.html", context)


@require_POST
def template_reset(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    """Back to the built-in template: deletes the user's override for `kind`."""
    kind = _kind_or_404(kind)
    deleted, _ = ReplyTemplate.objects.filter(owner=request.user, kind=kind).delete()
    if deleted:
        messages.success(request, f"{FollowUp.Kind(kind).label}: back to the built-in template.")
    return redirect("followups:templates")
