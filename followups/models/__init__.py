"""The followups app's models, one module per feature, every model re-exported here.

Dependencies point one way: followup ← templates, delivery, growth (each imports
FollowUp, never the reverse), and mailbox, and all of them only down to contacts and crm.
"""

from followups.models.api import ApiToken, Webhook, WebhookDelivery
from followups.models.delivery import DigestDelivery, SchedulerTick
from followups.models.followup import FollowUp, FollowUpEvent, db_datetime, own_followup
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
from followups.models.mailbox import Mailbox, MailboxFolder, MailMessage
from followups.models.restore import RestoreJob
from followups.models.templates import ReplyTemplate

__all__ = [
    "ApiToken",
    "THEME_CHOICES",
    "DigestDelivery",
    "FeedbackTheme",
    "FollowUp",
    "FollowUpEvent",
    "Goal",
    "GoalProgress",
    "MailMessage",
    "Mailbox",
    "MailboxFolder",
    "Reflection",
    "ReplyTemplate",
    "RestoreJob",
    "SchedulerTick",
    "Webhook",
    "WebhookDelivery",
    "db_datetime",
    "feedback_to_tag",
    "own_followup",
    "reflections_to_write",
    "theme_counts",
]
