"""Job applications: the board and list queries (with the no-response marker), company
matching, and the application pages."""

from crm.applications.queries import (
    BOARD_COLUMN_LIMIT,
    NO_RESPONSE_DAYS,
    BoardColumn,
    applications_for,
    board_columns,
    find_or_create_company,
    mark_no_response,
    search_applications,
    silent_filter,
)

__all__ = [
    "BOARD_COLUMN_LIMIT",
    "BoardColumn",
    "NO_RESPONSE_DAYS",
    "applications_for",
    "board_columns",
    "find_or_create_company",
    "mark_no_response",
    "search_applications",
    "silent_filter",
]
