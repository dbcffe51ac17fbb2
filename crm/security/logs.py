"""Secrets in URLs kept out of the access log: the calendar feed's token is its password."""

from __future__ import annotations

import logging
import re

# /calendar/<token>.ics (followups/urls.py "calendar-feed").
_FEED_TOKEN = re.compile(r"(/calendar/)[^/\s?]+(\.ics)")


def redact_path(text: str) -> str:
    """The text with every calendar-feed token replaced by "<token>"."""
    return _FEED_TOKEN.sub(r"\1<token>\2", text)


class RedactFeedTokens(logging.Filter):
    """A logging filter for the web server's access log (django.server): the record's
    message without the feed token; anyone who reads the log could subscribe otherwise."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_path(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True
