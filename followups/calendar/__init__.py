"""The private iCalendar feed of a user's pending follow-ups, and its page."""

from followups.calendar.feed import (
    EVENT_LENGTH,
    FEED_LIMIT,
    PAST_WINDOW,
    build_feed,
    feed_etag,
    feed_followups,
    followup_event,
    followup_uid,
)

__all__ = [
    "EVENT_LENGTH",
    "FEED_LIMIT",
    "PAST_WINDOW",
    "build_feed",
    "feed_etag",
    "feed_followups",
    "followup_event",
    "followup_uid",
]
