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
