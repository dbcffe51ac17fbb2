"""Pages of the followups app."""

from __future__ import annotations

from django.urls import include, path

from followups import (
    views_calendar,
    views_dashboard,
    views_drafts,
    views_export,
    views_growth,
    views_quicklog,
    views_reminders,
    views_stats,
)

app_name = "followups"

urlpatterns: list = [
    # Follow-up actions
    path("followups/<int:pk>/mark-sent/", views_dashboard.mark_sent, name="mark-sent"),
    path("followups/<int:pk>/snooze/", views_dashboard.snooze, name="snooze"),
    path("followups/<int:pk>/dismiss/", views_dashboard.dismiss, name="dismiss"),
    path("followups/<int:pk>/reopen/", views_dashboard.reopen, name="reopen"),
    # Quick logging
    path("log/rejection/", views_quicklog.log_rejection, name="log-rejection"),
    path("log/interaction/", views_quicklog.log_interaction, name="log-interaction"),
    path("log/<int:pk>/", views_quicklog.log_result, name="log-result"),
    # Drafts and templates
    path("followups/<int:pk>/draft/", views_drafts.draft_editor, name="draft"),
    path("followups/<int:pk>/draft/check/", views_drafts.draft_check, name="draft-check"),
    path("templates/", views_drafts.templates_page, name="templates"),
    path("templates/<str:kind>/", views_drafts.template_edit, name="template-edit"),
    path("templates/<str:kind>/preview/", views_drafts.template_preview, name="template-preview"),
    path("templates/<str:kind>/reset/", views_drafts.template_reset, name="template-reset"),
    # Reminders: unsubscribe, health
    path(
        "reminders/unsubscribe/<str:token>/",
        views_reminders.unsubscribe,
        name="unsubscribe",
    ),
    # Calendar feed
    path("calendar/", views_calendar.calendar_page, name="calendar"),
    path("calendar/regenerate/", views_calendar.calendar_regenerate, name="calendar-regenerate"),
    path("calendar/<slug:token>.ics", views_calendar.calendar_feed, name="calendar-feed"),
    # Stats
    path("stats/", views_stats.stats_page, name="stats"),
    # Growth: overview, feedback themes, goals and their progress, reflections
    path("growth/", views_growth.growth_page, name="growth"),
    path("growth/feedback/<int:pk>/", views_growth.feedback_themes, name="feedback-themes"),
    path("growth/goals/new/", views_growth.goal_create, name="goal-create"),
    path("growth/goals/from-action/", views_growth.goal_from_action, name="goal-from-action"),
    path("growth/goals/<int:pk>/", views_growth.goal_detail, name="goal-detail"),
    path("growth/goals/<int:pk>/edit/", views_growth.goal_edit, name="goal-edit"),
    path("growth/goals/<int:pk>/done/", views_growth.goal_done, name="goal-done"),
    path("growth/goals/<int:pk>/reopen/", views_growth.goal_reopen, name="goal-reopen"),
    path("growth/goals/<int:pk>/delete/", views_growth.goal_delete, name="goal-delete"),
    path(
        "growth/reflections/<int:application_pk>/",
        views_growth.reflection,
        name="reflection",
    ),
    # Export: contacts CSV and vCard, JSON backup, restore
    path("export/", views_export.export_page, name="export"),
    path("export/contacts.csv", views_export.export_contacts_csv, name="export-contacts-csv"),
    path("export/contacts.vcf", views_export.export_contacts_vcard, name="export-contacts-vcard"),
    path("export/backup.json", views_export.export_backup, name="export-backup"),
    path("export/restore/", views_export.restore_backup, name="restore"),
    # Mailbox sync: Preferences → Mailbox and the Inbox triage page
    path("", include("followups.mailbox.urls")),
]
