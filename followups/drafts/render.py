"""A follow-up's draft: the user's override or the built-in variant, filled from its contact,
application and profile; the editor's starting text and the template page's preview."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from contacts.models import Interaction
from followups.drafts.checker import LINKEDIN_CHAR_LIMIT, Finding, check_draft
from followups.drafts.library import (
    OCCASION_FEEDBACK,
    OCCASION_INTERVIEW,
    BuiltinTemplate,
    builtin,
    variants_for,
)
from followups.drafts.placeholders import fill_placeholders, placeholder_values
from followups.models import FollowUp, ReplyTemplate

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Choosing the template ---------------------------------------------------------------


class TemplateText(NamedTuple):
    subject: str
    body: str
    channel: str
    variant: str
    is_override: bool


def occasion_of(followup: FollowUp) -> str:
    """Which thank-you this is: after an interview (R7) or after feedback (R4)."""
    if followup.kind != FollowUp.Kind.THANK_YOU:
        return ""
    # `source` rather than `source_id`: the rules render drafts before saving anything.
    source = followup.source
    if source is not None and source.kind == Interaction.Kind.INTERVIEW:
        return OCCASION_INTERVIEW
    return OCCASION_FEEDBACK


def user_override(owner: User, kind: str) -> ReplyTemplate | None:
    if owner is None or owner.pk is None:
        return None
    return ReplyTemplate.objects.filter(owner=owner, kind=kind).first()


def _override_applies(override: ReplyTemplate, occasion: str) -> bool:
    # A thank-you override based on the interview variant must not answer feedback (and
    # the other way round); one written from scratch applies to both.
    if not occasion:
        return True
    based_on = builtin(override.kind, override.variant)
    same_variant = based_on.variant == override.variant
    return not same_variant or not based_on.occasion or based_on.occasion == occasion


def choose_template(followup: FollowUp, *, variant: str | None = None) -> TemplateText:
    """The user's override for the kind, else the built-in `variant` (else the default).

    Passing `variant` asks for that built-in even when an override exists.
    """
    occasion = occasion_of(followup)
    if not variant:
        override = user_override(followup.owner, followup.kind)
        if override is not None and _override_applies(override, occasion):
            return TemplateText(
                override.subject, override.body, override.channel, override.variant, True
            )
    template: BuiltinTemplate = builtin(followup.kind, variant, occasion=occasion)
    return TemplateText(template.subject, template.body, template.channel, template.variant, False)


def fill_for(followup: FollowUp, subject: str, body: str) -> tuple[str, str]:
    """`subject` and `body` with the placeholders filled from `followup`."""
    values = placeholder_values(followup)
    return fill_placeholders(subject, values), fill_placeholders(body, values)


def render_draft(followup: FollowUp, *, variant: str | None = None) -> tuple[str, str]:
    """Subject and body of the draft for `followup`, filled from its contact and profile."""
    template = choose_template(followup, variant=variant)
    return fill_for(followup, template.subject, template.body)


def draft_for(followup: FollowUp) -> tuple[str, str]:
    """The draft a follow-up starts with (or gets again when it moves to another contact):
    rendered from its template, a LinkedIn note cut to what LinkedIn accepts."""
    subject, body = render_draft(followup)
    if followup.kind == FollowUp.Kind.CONNECT:
        body = clip_words(body, LINKEDIN_CHAR_LIMIT)
    return subject, body


def clip_words(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters (with an ellipsis)."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(None, 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:") + "…"


def channel_for_kind(kind: str) -> str:
    """Where a draft of `kind` is sent: LinkedIn for connection notes, email otherwise."""
    if kind == FollowUp.Kind.CONNECT:
        return ReplyTemplate.Channel.LINKEDIN
    return ReplyTemplate.Channel.EMAIL


def channel_of(followup: FollowUp) -> str:
    """Where the draft of `followup` is sent."""
    return channel_for_kind(followup.kind)


def save_draft(followup: FollowUp, subject: str, body: str) -> None:
    """Keeps the user's edited draft on the follow-up (the reminder email shows it)."""
    followup.draft_subject, followup.draft_body = subject, body
    followup.save(update_fields=["draft_subject", "draft_body", "updated_at"])


def initial_draft(followup: FollowUp, *, start: str | None = None) -> tuple[str, str]:
    """What the editor opens with: the saved draft, or a fresh one when asked to start
    again from the user's template (`start="mine"`) or a built-in variant."""
    variants = {t.variant for t in variants_for(followup.kind)}
    if start == "mine":
        return render_draft(followup)
    if start in variants:
        return render_draft(followup, variant=start)
    if followup.draft_body.strip():
        return followup.draft_subject, followup.draft_body
    return render_draft(followup)


# Template preview ---------------------------------------------------------------------

# Stands in for a contact when the user has no follow-up to preview against yet.
EXAMPLE_VALUES = {
    "first_name": "Sam",
    "last_name": "Rivera",
    "full_name": "Sam Rivera",
    "contact_title": "Talent Partner",
    "company": "Example Labs",
    "job_title": "Product Designer",
}


def preview_followups(user: User, kind: str) -> list[FollowUp]:
    """The user's follow-ups to preview a template against: that kind first, newest first."""
    queryset = FollowUp.objects.filter(owner=user).select_related(
        "contact", "application__company", "source"
    )
    same_kind = list(queryset.filter(kind=kind).order_by("-created_at")[:10])
    return same_kind or list(queryset.order_by("-created_at")[:10])


def preview(user: User, kind: str, subject: str, body: str, *, sample: str | None) -> dict:
    """The template filled for one of the user's follow-ups (or an example), checked."""
    candidates = preview_followups(user, kind)
    chosen = next((f for f in candidates if str(f.pk) == (sample or "")), None)
    chosen = chosen or (candidates[0] if candidates else None)
    if chosen is not None:
        values = placeholder_values(chosen)
    else:
        values = {**EXAMPLE_VALUES, **placeholder_values(FollowUp(owner=user, kind=kind))}
    filled_subject = fill_placeholders(subject, values)
    filled_body = fill_placeholders(body, values)
    channel = channel_for_kind(kind)
    return {
        "sample": chosen,
        "preview_subject": filled_subject,
        "preview_body": filled_body,
        "preview_findings": check_draft(
            filled_body, kind=kind, channel=channel, subject=filled_subject
        ),
    }


def check_followup_draft(
    followup: FollowUp, subject: str, body: str, *, now: datetime | None = None
) -> list[Finding]:
    """`check_draft` with the kind, channel and deadline of `followup`."""
    deadline = followup.deadline if followup.is_pending else None
    findings = check_draft(
        body,
        kind=followup.kind,
        channel=channel_of(followup),
        subject=subject,
        deadline=deadline,
        now=now,
    )
    dismissed = set(followup.dismissed_findings or ())
    return [f for f in findings if f.key not in dismissed]


MAX_DISMISSED = 50


def dismiss_finding(followup: FollowUp, key: str) -> None:
    """Sets a finding aside for this draft (the most recent MAX_DISMISSED are kept)."""
    kept = [k for k in (followup.dismissed_findings or []) if k != key]
    followup.dismissed_findings = [*kept, key[:300]][-MAX_DISMISSED:]
    followup.save(update_fields=["dismissed_findings", "updated_at"])


def restore_findings(followup: FollowUp) -> None:
    """Shows every dismissed finding again."""
    followup.dismissed_findings = []
    followup.save(update_fields=["dismissed_findings", "updated_at"])
