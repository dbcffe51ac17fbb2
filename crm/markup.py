"""Small helpers of the pages whose rows are written in Python rather than by the
template engine (the board's cards, the timeline): see docs/performance.md."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse


def pk_url(name: str) -> Callable[[int], str]:
    """reverse() once; each row's URL is the pattern with its pk put in."""
    pattern = reverse(name, args=[987654321])
    head, tail = pattern.split("987654321")
    return lambda pk: f"{head}{pk}{tail}"
