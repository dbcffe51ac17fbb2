"""Mailbox sync's pages, included in followups/urls.py (namespace `followups`)."""

from __future__ import annotations

from django.urls import path

from followups.mailbox import views

urlpatterns = [
    # Preferences → Mailbox: connect, test, sync now, disconnect
    path("preferences/mailbox/", views.mailbox_settings, name="mailbox"),
    path("preferences/mailbox/sync/", views.mailbox_sync, name="mailbox-sync"),
    path("preferences/mailbox/<int:pk>/delete/", views.mailbox_delete, name="mailbox-delete"),
    # Inbox triage
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/<int:pk>/confirm/", views.inbox_confirm, name="inbox-confirm"),
    path("inbox/<int:pk>/change/", views.inbox_change, name="inbox-change"),
    path("inbox/<int:pk>/ignore/", views.inbox_ignore, name="inbox-ignore"),
]
