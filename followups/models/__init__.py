"""The followups app's models, one module per feature, every model re-exported here.

Dependencies point one way: followup ← templates, delivery, growth (each imports
FollowUp, never the reverse), and all of them only down to contacts and crm.
"""

from followups.models.api import ApiToken, Webhook, WebhookDelivery
from followups.models.delivery import DigestDelivery, SchedulerTick
from followups.models.followup import CONNECT_NOTE_LIMIT, FollowUp, FollowUpEvent, clip_words
from followups.models.growth import (
    THEME_CHOICES,
    FeedbackTheme,
    Goal,
    GoalProgress,
    Reflection,
    feedback_to_tag,
    reflections_to_write,
    theme_counts,
)
from followups.models.templates import ReplyTemplate

__all__ = [
    "ApiToken",
    "CONNECT_NOTE_LIMIT",
    "THEME_CHOICES",
    "DigestDelivery",
    "FeedbackTheme",
    "FollowUp",
    "FollowUpEvent",
    "Goal",
    "GoalProgress",
    "Reflection",
    "ReplyTemplate",
    "SchedulerTick",
    "Webhook",
    "WebhookDelivery",
    "clip_words",
    "feedback_to_tag",
    "reflections_to_write",
    "theme_counts",
]
