"""Forms of the draft editor and the template overrides page."""

from __future__ import annotations

from django import forms

from followups.drafts.library import variants_for
from followups.models import FollowUp, ReplyTemplate

# Generous, but bounded: a pasted novel should get a field error, not a slow page.
MAX_BODY_CHARS = 10_000


class DraftForm(forms.Form):
    """The subject and body of one follow-up's draft."""

    subject = forms.CharField(
        max_length=FollowUp._meta.get_field("draft_subject").max_length, required=False
    )
    body = forms.CharField(
        max_length=MAX_BODY_CHARS,
        widget=forms.Textarea(attrs={"rows": 14}),
        strip=False,
        error_messages={"required": "Write the message before saving or sending it."},
    )

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if not body.strip():
            raise forms.ValidationError("Write the message before saving or sending it.")
        return body


class ReplyTemplateForm(forms.ModelForm):
    """A user's own template for one kind; the built-in variant it started from is kept."""

    # Hidden, so never shown with an error: anything odd just becomes "custom".
    variant = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ReplyTemplate
        fields = ["subject", "body", "variant"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}
        help_texts = {
            "body": "Use bracket placeholders such as [First Name], [Company Name], "
            "[Job Title] and [Signature]; they are filled in for each follow-up.",
        }

    def clean_body(self) -> str:
        body = self.cleaned_data["body"]
        if len(body) > MAX_BODY_CHARS:
            raise forms.ValidationError(f"Keep it under {MAX_BODY_CHARS} characters.")
        if not body.strip():
            raise forms.ValidationError("A template needs a body.")
        return body

    def clean_variant(self) -> str:
        variant = self.cleaned_data.get("variant", "")
        known = {t.variant for t in variants_for(self.instance.kind)}
        return variant if variant in known else "custom"
