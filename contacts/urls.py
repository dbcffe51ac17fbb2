"""Pages of the contacts app: contacts, interactions, quick logging, import/export."""

from __future__ import annotations

from django.urls import path

from contacts import views_import

app_name = "contacts"

urlpatterns: list = [
    # Contacts
    # Interactions
    # Import (LinkedIn connections, applications CSV), each with a preview step
    path("import/", views_import.import_landing, name="import"),
]
