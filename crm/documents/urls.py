"""URLs of documents, included under /documents/ by crm/app_urls.py."""

from __future__ import annotations

from django.urls import path

from crm.documents import views

urlpatterns: list = [
    # Documents: list and upload, download, delete
    path("", views.document_list, name="document-list"),
    path("<int:pk>/download/", views.document_download, name="document-download"),
    path("<int:pk>/delete/", views.document_delete, name="document-delete"),
]
