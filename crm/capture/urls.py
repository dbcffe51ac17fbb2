"""URLs of posting capture, included under /applications/ by crm/app_urls.py."""

from __future__ import annotations

from django.urls import path

from crm.capture import views

urlpatterns: list = [
    # Capture a posting: from a link, from the bookmarklet, and its review
    path("capture/", views.capture_page, name="capture"),
    path("capture/bookmarklet/", views.bookmarklet_capture, name="capture-bookmarklet"),
    path("capture/bookmarklet/csrf/", views.bookmarklet_csrf, name="capture-csrf"),
    path(
        "capture/bookmarklet/receive/",
        views.bookmarklet_receive,
        name="capture-bookmarklet-receive",
    ),
    path(
        "capture/bookmarklet/new-token/",
        views.bookmarklet_new_token,
        name="capture-new-token",
    ),
    path("capture/review/<str:key>/", views.capture_review, name="capture-review"),
]
