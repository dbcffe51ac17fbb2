"""Pages of the followups app."""

from __future__ import annotations

from django.urls import path

from followups import views_calendar, views_export, views_stats

app_name = "followups"

urlpatterns: list = [
    # Follow-up actions
    # Drafts and templates
    # Reminders: unsubscribe, health
    # Calendar feed
    path("calendar/", views_calendar.calendar_page, name="calendar"),
    path("calendar/regenerate/", views_calendar.calendar_regenerate, name="calendar-regenerate"),
    path("calendar/<str:token>.ics", views_calendar.calendar_feed, name="calendar-feed"),
    # Stats
    path("stats/", views_stats.stats_page, name="stats"),
    # Growth
    # Export: contacts CSV and vCard, JSON backup, restore
    path("export/", views_export.export_page, name="export"),
]
