"""The project's admin site: Django's own, with the "view on site" redirect scoped to the
rows the visitor may see in the admin (issue 13, item 13)."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path


class CrmAdminSite(admin.AdminSite):
    def get_urls(self):
        # Ours comes first, so it answers /admin/r/… instead of Django's unscoped one.
        scoped = path(
            "r/<path:content_type_id>/<path:object_id>/",
            self.admin_view(self.view_on_site),
            name="view_on_site",
        )
        return [scoped, *super().get_urls()]

    def view_on_site(
        self, request: HttpRequest, content_type_id: str, object_id: str
    ) -> HttpResponse:
        """Django's redirect to a row's page, but another account's row is a 404: the
        plain shortcut redirects anyone to any row's page, telling them it exists."""
        if not request.user.is_superuser and not self._may_see(request, content_type_id, object_id):
            raise Http404("No such object.")
        return contenttype_views.shortcut(request, content_type_id, object_id)

    def _may_see(self, request: HttpRequest, content_type_id: str, object_id: str) -> bool:
        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
        except (ValueError, ContentType.DoesNotExist):
            return False
        if model is None or not self.is_registered(model):
            return False
        model_admin = self.get_model_admin(model)
        if not model_admin.has_view_or_change_permission(request):
            return False
        try:
            return model_admin.get_queryset(request).filter(pk=object_id).exists()
        except (ValueError, TypeError, ValidationError):
            return False
