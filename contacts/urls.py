"""Pages of the contacts app: contacts, interactions, quick logging, import/export."""

from __future__ import annotations

app_name = "contacts"

urlpatterns: list = [
    # Contacts
    # Interactions
]
