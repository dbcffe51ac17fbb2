"""Small helpers of the pages whose rows are written in Python rather than by the
template engine (the board's cards, the timelines, the dashboard's rows): see
docs/performance.md."""

from __future__ import annotations

from collections.abc import Callable

from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils import timezone


def pk_url(name: str) -> Callable[[int], str]:
    """reverse() once; each row's URL is the pattern with its pk put in."""
    pattern = reverse(name, args=[987654321])
    head, tail = pattern.split("987654321")
    return lambda pk: f"{head}{pk}{tail}"


def local_date(when, format_string: str) -> str:
    """What `{{ when|date:format_string }}` shows: the moment in the active time zone
    (the filter `expects_localtime`). Not escaped."""
    return date_filter(timezone.localtime(when), format_string)
