"""What logging each kind of interaction will schedule, in words, for the quick-log page
to show before saving (issue 12, item 2). It restates docs/rules.md with the owner's own
offsets; the rules engine itself decides."""

from __future__ import annotations

from crm.models import Profile


def kind_effects(profile: Profile) -> dict[str, str]:
    """ "direction:kind" → what saving it will do."""
    reply = (
        f"A reply to them, due {profile.reply_due_hours} hours after it arrived "
        f"(ideally sent within {profile.reply_deadline_hours}); the application is marked rejected."
    )
    thanks = (
        f"A thank-you note to them, due {profile.thank_you_due_hours} hours later; "
        "a pending nudge to them is cancelled."
    )
    answer = "Cancels a pending feedback nudge to them and the status check on the application."
    sent = (
        "Completes your pending reply or check-in for them. With “I asked them for "
        f"feedback”, one nudge on the working morning {profile.nudge_after_days} days later "
        "if they stay silent."
    )
    interview = f"A thank-you note, due {profile.thank_you_due_hours} hours after the interview."
    effects = {
        "inbound:rejection": reply,
        "inbound:feedback": thanks,
        "inbound:interview": interview,
        "outbound:interview": interview,
        "inbound:note": "Nothing: a note to yourself schedules nothing.",
        "outbound:note": "Nothing: a note to yourself schedules nothing.",
        "outbound:nudge": "Completes the pending nudge; a nudge never schedules another.",
        "outbound:connect": "Completes the pending suggestion to connect on LinkedIn.",
        "outbound:thank_you": "Completes the pending thank-you note.",
    }
    for kind in (
        "reply",
        "feedback_request",
        "check_in",
        "offer",
        "other",
        "nudge",
        "connect",
        "thank_you",
    ):
        effects.setdefault(f"inbound:{kind}", answer)
    for kind in (
        "rejection",
        "reply",
        "feedback_request",
        "feedback",
        "check_in",
        "offer",
        "other",
    ):
        effects.setdefault(f"outbound:{kind}", sent)
    return effects
