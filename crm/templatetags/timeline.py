"""Template tag of the timelines (a contact's, an application's): the entries, written in
Python (crm.timeline.timeline_html)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from crm.timeline import TimelineEntry, timeline_html

register = template.Library()


@register.simple_tag
def timeline_entries(
    entries: list[TimelineEntry], show_contact: bool = False, show_application: bool = False
) -> SafeString:
    return timeline_html(entries, show_contact=show_contact, show_application=show_application)
