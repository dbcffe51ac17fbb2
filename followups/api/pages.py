"""The "API access" preferences page: personal tokens (created, shown once, revoked) and
webhooks (registered, removed, their deliveries with status codes)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from crm.http import AuthenticatedHttpRequest
from followups.api.webhooks import check_url
from followups.models import ApiToken, Webhook, WebhookDelivery

RECENT_DELIVERIES = 30

# Forms ------------------------------------------------------------------------------------


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What it is for, e.g. “cron script”.")
    read_only = forms.BooleanField(required=False, label="Read only")
    expires_in_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        label="Expires after (days)",
        help_text="Leave empty for a token that does not expire.",
    )


class WebhookForm(forms.ModelForm):
    url = forms.URLField(label="URL", max_length=500, assume_scheme="https")
    events = forms.MultipleChoiceField(
        choices=Webhook.Event.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Webhook
        fields = ["url", "events"]

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            check_url(url)
        except ValidationError as refused:
            raise forms.ValidationError(refused.messages) from refused
        return url


# The page ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def api_access(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Tokens and webhooks; a new token's text (or a new hook's secret) is shown once."""
    token_form = TokenForm(prefix="token")
    webhook_form = WebhookForm(prefix="hook")
    shown: dict = {}
    if request.method == "POST" and "token-name" in request.POST:
        token_form = TokenForm(request.POST, prefix="token")
        if token_form.is_valid():
            data = token_form.cleaned_data
            days = data["expires_in_days"]
            token, raw = ApiToken.issue(
                request.user,
                name=data["name"],
                read_only=data["read_only"],
                expires_at=timezone.now() + timedelta(days=days) if days else None,
            )
            shown = {"new_token": token, "new_token_text": raw}
            token_form = TokenForm(prefix="token")
    elif request.method == "POST":
        webhook_form = WebhookForm(request.POST, prefix="hook")
        if webhook_form.is_valid():
            hook = webhook_form.save(commit=False)
            hook.owner = request.user
            hook.save()
            shown = {"new_hook": hook}
            webhook_form = WebhookForm(prefix="hook")
    now = timezone.now()
    tokens = list(ApiToken.objects.filter(owner=request.user))
    for token in tokens:
        token.live = token.is_live(now)
    context = {
        "tokens": tokens,
        "webhooks": Webhook.objects.filter(owner=request.user),
        "deliveries": WebhookDelivery.objects.filter(webhook__owner=request.user).select_related(
            "webhook"
        )[:RECENT_DELIVERIES],
        "token_form": token_form,
        "webhook_form": webhook_form,
        **shown,
    }
    return render(request, "followups/api/access.html", context)


@require_POST
def revoke_token(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, owner=request.user)
    if token.revoke():
        messages.success(request, f"Revoked “{token.name}”: it no longer works.")
    return redirect("apipages:access")


@require_POST
def delete_webhook(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    hook = get_object_or_404(Webhook, pk=pk, owner=request.user)
    hook.delete()
    messages.success(request, f"Removed the webhook to {hook.url}.")
    return redirect("apipages:access")
