"""Pages of the crm app: applications, companies, preferences."""

from __future__ import annotations

app_name = "crm"

urlpatterns: list = [
    # Applications
    # Preferences
]
