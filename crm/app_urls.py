"""Pages of the crm app: applications, companies, preferences."""

from __future__ import annotations

from django.urls import include, path

from crm import preferences, views_applications

app_name = "crm"

urlpatterns: list = [
    # Applications
    path("applications/", views_applications.application_list, name="application-list"),
    path("applications/board/", views_applications.application_board, name="application-board"),
    path("applications/new/", views_applications.application_create, name="application-create"),
    path(
        "applications/<int:pk>/", views_applications.application_detail, name="application-detail"
    ),
    path(
        "applications/<int:pk>/edit/", views_applications.application_edit, name="application-edit"
    ),
    path(
        "applications/<int:pk>/move/", views_applications.application_move, name="application-move"
    ),
    # Posting capture and documents (crm/capture/, crm/documents/)
    path("applications/", include("crm.capture.urls")),
    path("documents/", include("crm.documents.urls")),
    # Preferences
    path("preferences/", preferences.preferences, name="preferences"),
]
