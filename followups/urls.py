"""Pages of the followups app."""

from __future__ import annotations

from django.urls import path

from followups import views_export

app_name = "followups"

urlpatterns: list = [
    # Follow-up actions
    # Drafts and templates
    # Reminders: unsubscribe, health
    # Calendar feed
    # Growth
    # Export: contacts CSV and vCard, JSON backup, restore
    path("export/", views_export.export_page, name="export"),
]
