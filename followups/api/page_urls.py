"""The API access page under /preferences/api/ (login required, like every page)."""

from __future__ import annotations

from django.urls import path

from followups.api import pages

app_name = "apipages"

urlpatterns = [
    # Tokens and webhooks
    path("", pages.api_access, name="access"),
    path("tokens/<int:pk>/revoke/", pages.revoke_token, name="revoke-token"),
    path("webhooks/<int:pk>/delete/", pages.delete_webhook, name="delete-webhook"),
]
