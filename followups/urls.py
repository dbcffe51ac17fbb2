"""Pages of the followups app."""

from __future__ import annotations

from django.urls import include, path

from followups.calendar import views as calendar_views
from followups.dashboard import views as dashboard_views
from followups.drafts import views as drafts_views
from followups.export import views as export_views
from followups.growth import views as growth_views
from followups.quicklog import views as quicklog_views
from followups.scheduler import views as scheduler_views
from followups.search import views as search_views
from followups.stats import views as stats_views

app_name = "followups"

urlpatterns: list = [
    # Follow-up actions
    path("followups/<int:pk>/mark-sent/", dashboard_views.mark_sent, name="mark-sent"),
    path("followups/<int:pk>/snooze/", dashboard_views.snooze, name="snooze"),
    path("followups/<int:pk>/dismiss/", dashboard_views.dismiss, name="dismiss"),
    path("followups/<int:pk>/reopen/", dashboard_views.reopen, name="reopen"),
    path("followups/<int:pk>/undo-sent/", dashboard_views.undo_sent, name="undo-sent"),
    # Search from the navigation bar
    path("search/", search_views.search, name="search"),
    # Quick logging
    path("log/rejection/", quicklog_views.log_rejection, name="log-rejection"),
    path("log/interaction/", quicklog_views.log_interaction, name="log-interaction"),
    path("log/<int:pk>/", quicklog_views.log_result, name="log-result"),
    # Drafts and templates
    path("followups/<int:pk>/draft/", drafts_views.draft_editor, name="draft"),
    path("followups/<int:pk>/draft/check/", drafts_views.draft_check, name="draft-check"),
    path("followups/<int:pk>/draft/dismiss/", drafts_views.draft_dismiss, name="draft-dismiss"),
    path("templates/", drafts_views.templates_page, name="templates"),
    path("templates/<str:kind>/", drafts_views.template_edit, name="template-edit"),
    path("templates/<str:kind>/preview/", drafts_views.template_preview, name="template-preview"),
    path("templates/<str:kind>/reset/", drafts_views.template_reset, name="template-reset"),
    # Reminders: unsubscribe, health
    path(
        "reminders/unsubscribe/<str:token>/",
        scheduler_views.unsubscribe,
        name="unsubscribe",
    ),
    # Calendar feed
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("calendar/regenerate/", calendar_views.calendar_regenerate, name="calendar-regenerate"),
    path("calendar/<slug:token>.ics", calendar_views.calendar_feed, name="calendar-feed"),
    # Stats
    path("stats/", stats_views.stats_page, name="stats"),
    # Growth: overview, feedback themes, goals and their progress, reflections
    path("growth/", growth_views.growth_page, name="growth"),
    path("growth/feedback/<int:pk>/", growth_views.feedback_themes, name="feedback-themes"),
    path("growth/goals/new/", growth_views.goal_create, name="goal-create"),
    path("growth/goals/from-action/", growth_views.goal_from_action, name="goal-from-action"),
    path("growth/goals/<int:pk>/", growth_views.goal_detail, name="goal-detail"),
    path("growth/goals/<int:pk>/edit/", growth_views.goal_edit, name="goal-edit"),
    path("growth/goals/<int:pk>/done/", growth_views.goal_done, name="goal-done"),
    path("growth/goals/<int:pk>/reopen/", growth_views.goal_reopen, name="goal-reopen"),
    path("growth/goals/<int:pk>/delete/", growth_views.goal_delete, name="goal-delete"),
    path(
        "growth/reflections/<int:application_pk>/",
        growth_views.reflection,
        name="reflection",
    ),
    # Export: contacts CSV and vCard, JSON backup, restore
    path("export/", export_views.export_page, name="export"),
    path("export/contacts.csv", export_views.export_contacts_csv, name="export-contacts-csv"),
    path("export/contacts.vcf", export_views.export_contacts_vcard, name="export-contacts-vcard"),
    path(
        "export/applications.csv",
        export_views.export_applications_csv,
        name="export-applications-csv",
    ),
    path(
        "export/job-search-record/", export_views.job_search_record_page, name="job-search-record"
    ),
    path("export/backup.json", export_views.export_backup, name="export-backup"),
    path("export/restore/", export_views.restore_backup, name="restore"),
    path("export/restore/<int:pk>/", export_views.restore_job_page, name="restore-job"),
    # Mailbox sync: Preferences → Mailbox and the Inbox triage page
    path("", include("followups.mailbox.urls")),
]
