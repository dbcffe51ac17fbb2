"""Reply drafts: the one function that renders a follow-up's draft.

The drafts issue replaces the inside of `render_draft` with the template library,
placeholder filling and the draft checker; callers keep calling `render_draft`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from followups.models import FollowUp

_DEFAULTS = {
    "reply": (
        "Thank you for letting me know",
        "Hi {first},\n\nThank you for letting me know, and for the time you and the team gave me. "
        "I would be grateful for any feedback that could help me improve. I remain interested in "
        "{company} and hope our paths cross again.\n\nBest regards,\n{me}",
    ),
    "feedback_nudge": (
        "Following up on my feedback request",
        "Hi {first},\n\nI hope your week is going well. I wanted to follow up once on my request "
        "for feedback; even a sentence or two would help me a lot.\n\nThank you,\n{me}",
    ),
    "thank_you": (
        "Thank you",
        "Hi {first},\n\nThank you for your time and for sharing your thoughts. I appreciate it "
        "and will put it to good use.\n\nBest regards,\n{me}",
    ),
    "check_in": (
        "Checking in",
        "Hi {first},\n\nI hope all is well at {company}. I wanted to check in and share a short "
        "update on what I have been working on. I am still keen on opportunities with your "
        "team.\n\nBest regards,\n{me}",
    ),
    "connect": (
        "",
        "Hi {first}, thank you for your time during the hiring process. I would be glad to "
        "stay in touch here.",
    ),
    "application_check": (
        "Checking on my application",
        "Hi {first},\n\nI applied recently and wanted to check on the status of my application. "
        "I am still very interested in the role.\n\nThank you,\n{me}",
    ),
    "goal": ("Goal deadline", "Your goal's deadline is coming up."),
    "custom": ("Following up", "Hi {first},\n\nI wanted to follow up.\n\nBest regards,\n{me}"),
}


def render_draft(followup: FollowUp) -> tuple[str, str]:
    """Subject and body of the draft for `followup`, filled from its contact and profile."""
    subject, body = _DEFAULTS.get(followup.kind, _DEFAULTS["custom"])
    contact = followup.contact
    company = (
        followup.application.company.name
        if followup.application_id
        else (contact.company.name if contact and contact.company_id else "your company")
    )
    owner = followup.owner
    values = {
        "first": contact.first_name if contact else "there",
        "company": company,
        "me": owner.get_full_name() or owner.get_username(),
    }
    return subject, body.format(**values)
