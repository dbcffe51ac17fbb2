"""django-import-export resources for companies and applications, scoped to one owner.

Each resource is built with `user=`: an import only ever matches and writes that user's
rows (new rows get them as owner), and an export holds only their rows unless they are
a superuser. The admin passes `request.user` (see crm/admin.py).
"""

from __future__ import annotations

from django.db.models import QuerySet
from import_export import fields, resources, widgets

from crm.concurrency import company_named
from crm.models import Company, JobApplication


class OwnedResource(resources.ModelResource):
    """A ModelResource whose rows belong to `user`."""

    def __init__(self, user=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.user = user

    def get_queryset(self) -> QuerySet:
        # Imports look existing rows up here: only ever the importing user's own.
        return super().get_queryset().filter(owner=self.user)

    def filter_export(self, queryset: QuerySet, **kwargs) -> QuerySet:
        if self.user is not None and self.user.is_superuser:
            return queryset
        return queryset.filter(owner=self.user)

    def init_instance(self, row=None):
        return self._meta.model(owner=self.user)

    def before_save_instance(self, instance, row, **kwargs) -> None:
        instance.owner = self.user


class OwnedCompanyWidget(widgets.ForeignKeyWidget):
    """A company column by name: the owner's company matched ignoring case, or a new one."""

    def __init__(self, owner, **kwargs) -> None:
        super().__init__(Company, field="name", **kwargs)
        self.owner = owner

    def clean(self, value, row=None, **kwargs) -> Company | None:
        name = " ".join(str(value or "").split())
        if not name:
            return None
        return company_named(self.owner, name)

    def render(self, value, obj=None, **kwargs) -> str:
        return value.name if value else ""


class CompanyResource(OwnedResource):
    class Meta:
        model = Company
        fields = ("name", "website", "notes")
        import_id_fields = ("name",)
        skip_unchanged = True


class JobApplicationResource(OwnedResource):
    company = fields.Field(attribute="company", column_name="company")

    def __init__(self, user=None, **kwargs) -> None:
        super().__init__(user=user, **kwargs)
        self.fields["company"].widget = OwnedCompanyWidget(user)

    class Meta:
        model = JobApplication
        fields = ("company", "title", "status", "applied_on", "posting_url", "notes")
        import_id_fields = ("company", "title")
        skip_unchanged = True
