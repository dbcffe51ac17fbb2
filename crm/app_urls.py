"""Pages of the crm app: applications, companies, preferences."""

from __future__ import annotations

from django.urls import include, path

from crm import preferences
from crm.applications import views as application_views
from crm.companies import views as company_views
from crm.onboarding import views as onboarding_views

app_name = "crm"

urlpatterns: list = [
    # Applications
    path("applications/", application_views.application_list, name="application-list"),
    path("applications/board/", application_views.application_board, name="application-board"),
    path("applications/new/", application_views.application_create, name="application-create"),
    path("applications/<int:pk>/", application_views.application_detail, name="application-detail"),
    path(
        "applications/<int:pk>/edit/", application_views.application_edit, name="application-edit"
    ),
    path(
        "applications/<int:pk>/move/", application_views.application_move, name="application-move"
    ),
    # Posting capture and documents (crm/capture/, crm/documents/)
    path("applications/", include("crm.capture.urls")),
    path("documents/", include("crm.documents.urls")),
    # Companies: the list filters' suggestions
    path("companies/suggestions/", company_views.company_suggestions, name="company-suggestions"),
    # Preferences, and the first run of a new account
    path("preferences/", preferences.preferences, name="preferences"),
    path("welcome/", onboarding_views.first_run, name="first-run"),
]
