"""Admin for the crm app, and the owner scoping every admin of the project uses."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, ClassVar, cast

from django import forms
from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats

from crm.capture.duplicates import find_by_url, saved_and_applied
from crm.documents.validation import CONTENT_TYPES, suffix_of
from crm.models import Company, Document, JobApplication, Profile
from crm.resources import CompanyResource, JobApplicationResource
from crm.security.uploads import (
    LimitedCSV,
    LimitedImportForm,
    LimitedXLSX,
    UploadLimitExceeded,
)


def _has_owner(model) -> bool:
    return any(f.name == "owner" for f in model._meta.get_fields())


if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

    # What the mixin is mixed into, so its super() calls type-check; a plain class at
    # run time, so it fits before ModelAdmin and InlineModelAdmin alike.
    _AdminBase = BaseModelAdmin[Any]
else:
    _AdminBase = object


class OwnerScopedMixin(_AdminBase):
    """Non-superusers see and choose only their own rows; new rows get them as owner.

    Used by model admins and inlines alike. Related choices (foreign keys, many-to-many
    and autocomplete) are scoped too, so bob's company never appears in alice's forms.
    A web address typed without a scheme is read as https://, as on the app's own forms
    (and as Django 6.0 will by default).
    """

    formfield_overrides: ClassVar[Mapping[type[models.Field], Mapping[str, Any]]] = {
        models.URLField: {"assume_scheme": "https"}
    }

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser or not _has_owner(qs.model):
            return qs
        return qs.filter(owner=request.user)

    def _scope_choices(self, db_field, request, kwargs):
        model = db_field.remote_field.model
        if not request.user.is_superuser and _has_owner(model) and "queryset" not in kwargs:
            kwargs["queryset"] = model._default_manager.filter(owner=request.user)
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name != "owner":
            kwargs = self._scope_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self._scope_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser and _has_owner(self.model):
            exclude.append("owner")
        return exclude


class OwnedModelAdmin(OwnerScopedMixin, admin.ModelAdmin):
    # Another user's id must look exactly like a missing one: 404, as on the app's own
    # pages, not the admin's redirect with "doesn't exist".

    def _own_or_404(self, request, object_id: str) -> None:
        try:
            found = self.get_queryset(request).filter(pk=unquote(object_id)).exists()
        except (ValueError, ValidationError):
            found = False
        if not found:
            raise Http404(f"No {self.opts.verbose_name} with id {object_id}.")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._own_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._own_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._own_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def save_model(self, request, obj, form, change):
        if not change and not getattr(obj, "owner_id", None):
            obj.owner = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if _has_owner(type(instance)) and not getattr(instance, "owner_id", None):
                instance.owner = form.instance.owner
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


class OwnedImportExportMixin(ImportExportMixin):
    """Import and export buttons (CSV, XLSX); the resource gets request.user, so imported
    rows are theirs and a non-superuser's export holds only their rows (crm/resources.py)."""

    # The same formats, with size, unpacked size, row and cell limits checked before
    # the file is parsed (crm/security/uploads.py).
    import_formats = [LimitedCSV, LimitedXLSX]
    import_form_class = LimitedImportForm
    export_formats = [base_formats.CSV, base_formats.XLSX]

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, UploadLimitExceeded):
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    """One profile per account, made with it: nobody adds, deletes or reassigns one here,
    and an ordinary account sees only its own, without the account field."""

    list_display = ["user", "time_zone", "morning_hour", "email_reminders", "digest_hour"]
    search_fields = ["user__username", "user__email"]

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("user")
        return qs if request.user.is_superuser else qs.filter(user=request.user)

    def get_list_display(self, request):
        if request.user.is_superuser:
            return super().get_list_display(request)
        return ["__str__", "time_zone", "morning_hour", "email_reminders", "digest_hour"]

    def get_search_fields(self, request):
        return super().get_search_fields(request) if request.user.is_superuser else []

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser:
            exclude.append("user")
        return exclude

    def get_readonly_fields(self, request, obj=None):
        readonly = ["calendar_token"]
        if obj is not None and request.user.is_superuser:
            readonly.append("user")
        return readonly

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404(f"No {opts.verbose_name} with id {object_id}.")


@admin.register(Company)
class CompanyAdmin(OwnedImportExportMixin, OwnedModelAdmin):
    resource_classes = [CompanyResource]
    list_display = ["name", "website"]
    search_fields = ["name"]


class JobApplicationAdminForm(forms.ModelForm):
    """The posting URL is unique per owner; the owner is often not a field of the admin's
    form, so the database constraint is checked here to answer with a message, not a 500."""

    # Set on the class get_form() builds for each request.
    request_user: User | AnonymousUser | None = None

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        owner = cleaned.get("owner") or (
            self.instance.owner if self.instance.owner_id else self.request_user
        )
        url = cleaned.get("posting_url")
        existing = find_by_url(owner, url, exclude_pk=self.instance.pk) if owner and url else None
        if existing is not None:
            self.add_error(
                "posting_url",
                f"{existing} already has this posting URL. {saved_and_applied(existing)}",
            )
        return cleaned


@admin.register(JobApplication)
class JobApplicationAdmin(OwnedImportExportMixin, OwnedModelAdmin):
    form = JobApplicationAdminForm
    resource_classes = [JobApplicationResource]
    list_display = ["title", "company", "status", "applied_on", "location", "closing_date"]
    list_filter = ["status", "remote", ("company", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["company"]
    search_fields = ["title", "company__name"]
    autocomplete_fields = ["company"]
    filter_horizontal = ["documents"]

    def get_form(
        self,
        request: HttpRequest,
        obj: JobApplication | None = None,
        change: bool = False,
        **kwargs: Any,
    ) -> type[forms.ModelForm[JobApplication]]:
        # The admin builds the form class from self.form, so it is a JobApplicationAdminForm.
        form = cast(
            "type[JobApplicationAdminForm]",
            super().get_form(request, obj, change=change, **kwargs),
        )
        form.request_user = request.user
        return form

    date_hierarchy = "applied_on"


@admin.register(Document)
class DocumentAdmin(OwnedModelAdmin):
    list_display = ["name", "kind", "original_name", "size", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["name", "original_name"]
    readonly_fields = ["original_name", "content_type", "size"]

    def save_model(self, request, obj, form, change):
        upload = form.cleaned_data.get("file")
        if upload is not None and "file" in form.changed_data:
            obj.original_name = PurePath(upload.name).name[:255]
            obj.size = upload.size or 0
            obj.content_type = CONTENT_TYPES.get(suffix_of(upload.name), "")
        super().save_model(request, obj, form, change)
