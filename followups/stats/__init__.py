"""Stats: response rates, time to answer and outcomes, aggregated for the stats page."""

from followups.stats.summary import (
    NO_DEADLINE_GRACE,
    REPLY_TARGET_HOURS,
    Bar,
    ReplySpeed,
    Status,
    feedback_answers,
    pipeline_funnel,
    punctuality,
    reply_speed,
)

__all__ = [
    "Bar",
    "NO_DEADLINE_GRACE",
    "REPLY_TARGET_HOURS",
    "ReplySpeed",
    "Status",
    "feedback_answers",
    "pipeline_funnel",
    "punctuality",
    "reply_speed",
]
