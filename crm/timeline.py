"""One time-ordered list of what happened with a contact or an application.

Works on any rows with the attributes used below, so crm stays free of imports from
contacts and followups: callers pass interactions and follow-ups (with their `events`
prefetched) fetched through reverse relations.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from crm.markup import local_date, pk_url


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    # "interaction", "followup" (placed at its due time) or "event" (a status change)
    type: str
    item: Any


def build_timeline(
    interactions: Iterable[Any], followups: Iterable[Any], *, with_events: bool = True
) -> list[TimelineEntry]:
    """Newest first; pending follow-ups sit at their due time, so upcoming work is on top."""
    entries = [TimelineEntry(i.occurred_at, "interaction", i) for i in interactions]
    for followup in followups:
        entries.append(TimelineEntry(followup.due_at, "followup", followup))
        if with_events:
            entries.extend(TimelineEntry(e.at, "event", e) for e in followup.events.all())
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries


# The timeline written in Python ----------------------------------------------------------
#
# What templates/crm/_timeline.html rendered for each entry before, markup for markup: a
# contact's page shows 50 entries (and their status changes), and the template engine's
# per-node cost was most of the page (docs/performance.md, "Pages that stay flat").

_BORDER = {"interaction": "border-primary", "followup": "border-warning"}
_STATUS_BADGE = {"pending": "warning", "done": "success"}


def _date(moment: datetime, spec: str) -> str:
    """`moment` as the template's `date` filter showed it, escaped."""
    return escape(local_date(moment, spec))


def timeline_html(
    entries: Iterable[TimelineEntry], *, show_contact: bool = False, show_application: bool = False
) -> SafeString:
    """The entries' list items (the markup _timeline.html gave), every text escaped."""
    contact_url = pk_url("contacts:detail")
    application_url = pk_url("crm:application-detail")
    draft_url = pk_url("followups:draft")

    def links(item: Any) -> str:
        out = ""
        if show_contact and item.contact:
            name = escape(item.contact.full_name)
            out += f'\n        · <a href="{contact_url(item.contact_id)}">{name}</a>'
        if show_application and item.application:
            application = item.application
            company = escape(application.company.name) if application.company else ""
            out += (
                f'\n        · <a href="{application_url(item.application_id)}">'
                f"{escape(application.title)} at {company}</a>"
            )
        return out

    parts = []
    for entry in entries:
        item, kind = entry.item, entry.type
        border = _BORDER.get(kind, "border-secondary")
        head = (
            f'\n  <li class="border-start border-3 ps-3 pb-3 {border}">'
            f'\n    <div class="small text-body-secondary"><time datetime="{_date(entry.at, "c")}">'
            f"{_date(entry.at, 'D j M Y, H:i')}</time></div>"
        )
        if kind == "interaction":
            inbound = item.direction == "inbound"
            badge = "info" if inbound else "primary"
            said = "Received" if inbound else "Sent"
            feedback = (
                '\n        <span class="badge text-bg-light border">asked for feedback</span>'
                if item.requests_feedback
                else ""
            )
            body = (
                f'\n      <div><span class="badge text-bg-{badge}">{said}</span>'
                f"\n        <strong>{escape(item.get_kind_display())}</strong> · "
                f"{escape(item.get_channel_display())}{links(item)}{feedback}\n      </div>"
            )
            if item.subject:
                body += f'\n      <div class="fw-semibold">{escape(item.subject)}</div>'
            if item.body:
                body += f'\n      <div class="small text-truncate-2">{escape(item.body)}</div>'
        elif kind == "followup":
            badge = _STATUS_BADGE.get(item.status, "secondary")
            due = _date(item.due_at, "D j M, H:i")
            deadline = f", deadline {_date(item.deadline, 'D j M, H:i')}" if item.deadline else ""
            reason = f" · {escape(item.cancel_reason)}" if item.cancel_reason else ""
            body = (
                f'\n      <div><span class="badge text-bg-{badge}">Follow-up · '
                f"{escape(item.get_status_display())}</span>"
                f"\n        <strong>{escape(item.get_kind_display())}</strong>{links(item)}"
                f'\n      </div>\n      <div class="small">Due {due}{deadline}{reason}</div>'
            )
            if item.status == "pending":
                body += f'\n      <a class="small" href="{draft_url(item.pk)}">Open the draft</a>'
        else:
            change = ""
            if item.old_status and item.old_status != item.new_status:
                change = f"{escape(item.get_old_status_display())} → "
            reason = f" — {escape(item.reason)}" if item.reason else ""
            followup = escape(item.followup.get_kind_display())
            body = (
                f'\n      <div class="small">Follow-up “{followup}”: '
                f"{change}{escape(item.get_new_status_display())}{reason}</div>"
            )
        parts.append(f"{head}{body}\n  </li>")
    return mark_safe("".join(parts))
