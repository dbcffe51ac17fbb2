"""django-import-export resources for companies and applications, scoped to one owner.

Each resource is built with `user=`: an import only ever matches and writes that user's
rows (new rows get them as owner), and an export holds only their rows unless they are
a superuser. The admin passes `request.user` (see crm/admin.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from import_export import fields, resources, widgets

from crm.concurrency import company_named
from crm.models import Company, JobApplication
from crm.spreadsheets import safe_row, unescape_cell

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class OwnedResource(resources.ModelResource):
    """A ModelResource whose rows belong to `user`."""

    def __init__(self, user: User | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.user = user

    def get_queryset(self) -> QuerySet:
        # Imports look existing rows up here: only ever the importing user's own.
        return super().get_queryset().filter(owner=self.user)

    def filter_export(self, queryset: QuerySet, **kwargs) -> QuerySet:
        if self.user is not None and self.user.is_superuser:
            return queryset
        return queryset.filter(owner=self.user)

    def export_resource(self, instance, selected_fields=None, **kwargs) -> list:
        # Every export of a resource (admin CSV and XLSX, the contacts CSV) passes here:
        # no cell may open as a formula in a spreadsheet.
        return safe_row(super().export_resource(instance, selected_fields, **kwargs))

    def before_import_row(self, row, **kwargs) -> None:
        for key, value in row.items():
            row[key] = unescape_cell(value)

    def init_instance(self, row=None):
        return self._meta.model(owner=self.user)

    def before_save_instance(self, instance, row, **kwargs) -> None:
        instance.owner = self.user


class OwnedCompanyWidget(widgets.ForeignKeyWidget):
    """A company column by name: the owner's company matched ignoring case, or a new one."""

    def __init__(self, owner: User | None, **kwargs) -> None:
        super().__init__(Company, field="name", **kwargs)
        self.owner = owner

    def clean(self, value, row=None, **kwargs) -> Company | None:
        name = " ".join(str(value or "").split())
        if not name:
            return None
        if self.owner is None:
            raise ValueError("A company column needs the importing user (user=...).")
        return company_named(self.owner, name)

    def render(self, value, obj=None, **kwargs) -> str:
        return value.name if value else ""


class CompanyColumnResource(OwnedResource):
    """An owned resource with a `company` column by name (matched or created for `user`)."""

    company = fields.Field(attribute="company", column_name="company")

    def __init__(self, user: User | None = None, **kwargs) -> None:
        super().__init__(user=user, **kwargs)
        self.fields["company"].widget = OwnedCompanyWidget(user)


class CompanyResource(OwnedResource):
    class Meta:
        model = Company
        # full_clean on every row: the same validation as the forms (issue 13, item 6).
        clean_model_instances = True
        fields = ("name", "website", "notes")
        import_id_fields = ("name",)
        skip_unchanged = True


class JobApplicationResource(CompanyColumnResource):
    class Meta:
        model = JobApplication
        # full_clean on every row: the same validation as the forms (issue 13, item 6).
        clean_model_instances = True
        fields = (
            "company",
            "title",
            "status",
            "applied_on",
            "posting_url",
            "notes",
            # What the posting says (crm/capture/)
            "location",
            "remote",
            "employment_type",
            "salary_min",
            "salary_max",
            "salary_currency",
            "salary_period",
            "closing_date",
            "source",
            "description",
        )
        import_id_fields = ("company", "title")
        skip_unchanged = True
