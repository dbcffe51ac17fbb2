"""The private iCalendar feed of a user's pending follow-ups, and its page."""

from followups.calendar.feed import (
    CLOSED_WINDOW,
    EVENT_LENGTH,
    FEED_LIMIT,
    PAST_WINDOW,
    FeedVersion,
    build_feed,
    feed_bytes,
    feed_etag,
    feed_followups,
    feed_version,
    followup_event,
    followup_uid,
)

__all__ = [
    "CLOSED_WINDOW",
    "EVENT_LENGTH",
    "FEED_LIMIT",
    "PAST_WINDOW",
    "FeedVersion",
    "build_feed",
    "feed_bytes",
    "feed_version",
    "feed_etag",
    "feed_followups",
    "followup_event",
    "followup_uid",
]
