"""Pages of the followups app."""

from __future__ import annotations

app_name = "followups"

urlpatterns: list = [
    # Follow-up actions
    # Drafts and templates
    # Reminders: unsubscribe, health
    # Calendar feed
    # Growth
]
