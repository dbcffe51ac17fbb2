"""Template filters for safe output: lockout durations in words, and (issue 13, item 6)
only http(s) links from stored URLs."""

from __future__ import annotations

from datetime import timedelta

from django import template

from crm.security.weburls import web_url_or_empty

register = template.Library()


@register.filter
def in_minutes(value: timedelta | None) -> str:
    """A cool-off as a person says it: "15 minutes", "1 minute"."""
    if not value:
        return ""
    minutes = max(1, round(value.total_seconds() / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@register.filter
def web_url(value: object) -> str:
    """A stored URL fit for an href: http(s) only, else empty (so `{% if %}` skips it)."""
    return web_url_or_empty(value)
