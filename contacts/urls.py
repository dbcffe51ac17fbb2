"""Pages of the contacts app: contacts, interactions, quick logging, import/export."""

from __future__ import annotations

from django.urls import path, re_path

from contacts import views
from contacts.importers import views as import_views

app_name = "contacts"

urlpatterns: list = [
    # Contacts
    path("", views.contact_list, name="list"),
    path("new/", views.contact_create, name="create"),
    path("<int:pk>/", views.contact_detail, name="detail"),
    path("<int:pk>/edit/", views.contact_edit, name="edit"),
    path("<int:pk>/cadence/", views.contact_cadence, name="cadence"),
    path("<int:pk>/do-not-contact/", views.contact_do_not_contact, name="do-not-contact"),
    # Interactions
    path("<int:pk>/log/", views.contact_log_interaction, name="log-interaction"),
    # Import (LinkedIn connections, applications CSV), each with a preview step
    path("import/", import_views.import_landing, name="import"),
    re_path(
        r"^import/(?P<kind>linkedin|applications)/$",
        import_views.import_upload,
        name="import-upload",
    ),
    path("import/applications/columns/", import_views.import_map_columns, name="import-map"),
    re_path(
        r"^import/(?P<kind>linkedin|applications)/preview/$",
        import_views.import_preview,
        name="import-preview",
    ),
    re_path(
        r"^import/(?P<kind>linkedin|applications)/choices/$",
        import_views.import_choices,
        name="import-choices",
    ),
    re_path(
        r"^import/(?P<kind>linkedin|applications)/cancel/$",
        import_views.import_cancel,
        name="import-cancel",
    ),
    # A big import run by the worker: its progress and result
    path("import/jobs/<int:pk>/", import_views.import_job_page, name="import-job"),
]
