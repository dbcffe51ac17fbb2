"""Root URLconf: one include per resource group; each app's urls.py lists its pages."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from crm import views
from crm.onboarding import views as onboarding_views
from crm.security.password_reset import ThrottledPasswordResetView
from followups.dashboard import views as dashboard_views
from followups.scheduler import views as scheduler_views

# A read-only data folder or a full disk: a 503 saying so, not a bare 500.
handler500 = "crm.storage.middleware.server_error"

urlpatterns = [
    # Accounts: login, logout, password change and reset (Django's views, our templates)
    path("accounts/signup/", onboarding_views.signup, name="signup"),
    # Reset mail from the worker, throttled (before Django's own view of that name).
    path(
        "accounts/password_reset/",
        ThrottledPasswordResetView.as_view(),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    # The icon browsers ask for on every page (no login)
    path("favicon.ico", views.favicon, name="favicon"),
    # Health of the scheduler, for uptime monitors (no login)
    path("healthz", scheduler_views.healthz, name="healthz"),
    # API: REST under /api/v1/, tokens, webhooks (followups/api)
    path("api/", include("followups.api.urls")),
    path("preferences/api/", include("followups.api.page_urls")),
    # Admin
    path("admin/", admin.site.urls),
    # Home
    path("", dashboard_views.dashboard, name="home"),
    # Applications, companies, preferences (crm)
    path("", include("crm.app_urls")),
    # Contacts and interactions
    path("contacts/", include("contacts.urls")),
    # The import pages live under /contacts/import/; /import/ is the short address.
    path("import/", RedirectView.as_view(pattern_name="contacts:import"), name="import"),
    # Follow-ups: dashboard actions, drafts, templates, reminders, calendar, growth
    path("", include("followups.urls")),
]
