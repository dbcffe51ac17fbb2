from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class CrmConfig(AppConfig):
    default = True
    name = "crm"
    verbose_name = "Job search"

    def ready(self) -> None:
        from crm import (
            checks,  # noqa: F401 (registers the system checks)
            undo,  # noqa: F401 (connects its save receivers)
        )
        from crm.accounts import narrow_job_seekers_group

        # After every app's permissions exist (sender=None would run once per app).
        post_migrate.connect(narrow_job_seekers_group, dispatch_uid="crm.narrow_job_seekers")


class CrmAdminConfig(admin_apps.AdminConfig):
    """Installs crm.admin_site.CrmAdminSite as `admin.site` (Django's documented way to
    replace the default site): the same admin with view-on-site scoped to the owner."""

    default = False
    default_site = "crm.admin_site.CrmAdminSite"
