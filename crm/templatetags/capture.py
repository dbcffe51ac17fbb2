"""Template tags of posting capture: the bookmarklet link, for any page that shows it."""

from __future__ import annotations

from django import template
from django.urls import reverse

from crm.capture import bookmarklet

register = template.Library()


@register.simple_tag(takes_context=True)
def bookmarklet_href(context) -> str:
    """The user's "Save to Follow-up CRM" bookmarklet (javascript: URL)."""
    request = context["request"]
    token = bookmarklet.token_for(request.user).token
    action = request.build_absolute_uri(reverse("crm:capture-bookmarklet"))
    return bookmarklet.bookmarklet_href(action, token)
