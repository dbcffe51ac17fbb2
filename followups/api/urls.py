"""URLs of the API: /api/v1/ (REST, schema, docs); mounted by the root URLconf."""

from __future__ import annotations

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from followups.api import views
from followups.api.mcp_http import mcp_endpoint
from followups.api.problems import not_found

router = SimpleRouter()
# Resources
router.register("companies", views.CompanyViewSet, basename="company")
router.register("applications", views.ApplicationViewSet, basename="application")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("interactions", views.InteractionViewSet, basename="interaction")
router.register("followups", views.FollowUpViewSet, basename="followup")
router.register("templates", views.ReplyTemplateViewSet, basename="template")

app_name = "api"

v1 = [
    path("", views.root, name="root"),
    # Resources and the follow-up actions
    path("", include(router.urls)),
    # Dashboard groups and stats
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("stats/", views.StatsView.as_view(), name="stats"),
    # OpenAPI schema and its Swagger page
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("v1/", include(v1)),
    # MCP over streamable HTTP (stateless, JSON answers), with a token
    path("mcp/", mcp_endpoint, name="mcp"),
    # Anything else under /api/: a problem-details 404 rather than the HTML page.
    re_path(r"^[\s\S]*$", not_found, name="not-found"),
]


def _open_to_tokens(patterns) -> None:
    """The API checks its own credentials (token or session) and answers 401 itself;
    LoginRequiredMiddleware would redirect a script to the login page instead."""
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            _open_to_tokens(pattern.url_patterns)
        else:
            pattern.callback.login_required = False


_open_to_tokens(urlpatterns)
