"""Template tag of the applications board: a column's cards, written in Python."""

from __future__ import annotations

from django import template
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString

from crm.applications.queries import BoardColumn, board_cards_html

register = template.Library()


@register.simple_tag(takes_context=True)
def board_cards(context, column: BoardColumn) -> SafeString:
    """The cards of one board column, each with its "move to" form (docs/performance.md)."""
    return board_cards_html(column, get_token(context["request"]))
