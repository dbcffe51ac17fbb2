"""`{% followup_rows rows %}`: follow-up rows, written in Python (followups/dashboard/markup.py)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template
from django.utils.safestring import SafeString

from followups.dashboard.markup import rows_html
from followups.dashboard.rows import Row

register = template.Library()


@register.simple_tag(takes_context=True)
def followup_rows(context, rows: Iterable[Row]) -> SafeString:
    """The rows' `<li>`s; the page's `next_query` (row_context) is their way back without
    JavaScript."""
    return rows_html(rows, context.get("next_query", ""))
