"""The dashboard: pending follow-ups grouped by when they fall due, and the actions on a row
(mark sent, snooze, dismiss, reopen). Other pages import rows and queries from here."""

from followups.dashboard.queries import (
    GROUP_COUNTS_SQL,
    GROUP_TITLES,
    ROW_FIELDS,
    ROWS_PER_GROUP,
    ROWS_PER_PAGE,
    day_bounds,
    due_count,
    group_counts,
    group_filters,
    local_midnight,
    pending_followups,
)
from followups.dashboard.rows import (
    KIND_LABELS,
    MONTHS,
    WEEKDAYS,
    Group,
    Row,
    action_url_patterns,
    dashboard_groups,
    draft_preview,
    local_label,
    row_context,
    span,
)
from followups.dashboard.snooze import (
    SNOOZE_CHOICES,
    SnoozeForm,
    local_noon,
    snooze_until,
)

__all__ = [
    "GROUP_COUNTS_SQL",
    "GROUP_TITLES",
    "Group",
    "KIND_LABELS",
    "MONTHS",
    "ROWS_PER_GROUP",
    "ROWS_PER_PAGE",
    "ROW_FIELDS",
    "Row",
    "SNOOZE_CHOICES",
    "SnoozeForm",
    "WEEKDAYS",
    "action_url_patterns",
    "dashboard_groups",
    "day_bounds",
    "draft_preview",
    "due_count",
    "group_counts",
    "group_filters",
    "local_label",
    "local_midnight",
    "local_noon",
    "pending_followups",
    "row_context",
    "snooze_until",
    "span",
]
