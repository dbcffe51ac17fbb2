"""Admin for contacts and interactions: the contact editor a person would enjoy using."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db.models import OuterRef, Subquery

from contacts.models import Contact, Interaction
from contacts.resources import ContactResource, InteractionResource
from crm.admin import OwnedImportExportMixin, OwnedModelAdmin, OwnerScopedMixin


class InteractionInline(OwnerScopedMixin, admin.TabularInline):
    model = Interaction
    extra = 0
    fields = [
        "occurred_at",
        "direction",
        "kind",
        "channel",
        "application",
        "subject",
        "requests_feedback",
    ]
    ordering = ["-occurred_at"]
    show_change_link = True


class CadenceFilter(admin.SimpleListFilter):
    title = "check-in cadence"
    parameter_name = "cadence"

    def lookups(self, request, model_admin):
        return [("none", "Not set"), ("never", "Never"), ("set", "Every few months")]

    def queryset(self, request, queryset):
        match self.value():
            case "none":
                return queryset.filter(check_in_months__isnull=True)
            case "never":
                return queryset.filter(check_in_months=0)
            case "set":
                return queryset.filter(check_in_months__gt=0)
        return queryset


@admin.register(Contact)
class ContactAdmin(OwnedImportExportMixin, OwnedModelAdmin):
    resource_classes = [ContactResource]
    list_display = [
        "full_name",
        "company",
        "role",
        "email",
        "last_interaction",
        "next_followup",
        "check_in_months",
        "do_not_contact",
    ]
    list_display_links = ["full_name"]
    list_filter = [
        "role",
        ("company", admin.RelatedOnlyFieldListFilter),
        "do_not_contact",
        CadenceFilter,
    ]
    list_select_related = ["company"]
    search_fields = ["first_name", "last_name", "email", "company__name"]
    autocomplete_fields = ["company", "applications"]
    inlines = [InteractionInline]
    fieldsets = [
        (None, {"fields": [("first_name", "last_name"), "email", "company", "title", "role"]}),
        ("Reach", {"fields": ["linkedin_url", "phone"]}),
        ("Follow-ups", {"fields": ["check_in_months", "do_not_contact"]}),
        ("Applications and notes", {"fields": ["applications", "notes"]}),
    ]

    def get_queryset(self, request):
        # Both columns come from correlated subqueries: one query for the whole page,
        # however many contacts it shows.
        latest = Interaction.objects.filter(contact=OuterRef("pk")).order_by("-occurred_at")
        qs = (
            super()
            .get_queryset(request)
            .annotate(
                last_interaction_at=Subquery(latest.values("occurred_at")[:1]),
            )
        )
        next_followup = self._next_followup_subquery()
        if next_followup is not None:
            qs = qs.annotate(next_followup_at=next_followup)
        return qs

    @staticmethod
    def _next_followup_subquery():
        # The FollowUp model lives in followups, which contacts must not import: reach it
        # through the reverse relation's model instead.
        try:
            model: Any = Contact._meta.get_field("followups").related_model
        except FieldDoesNotExist:
            return None
        pending = model.objects.filter(contact=OuterRef("pk"), status=model.Status.PENDING)
        pending = pending.order_by("due_at")
        return Subquery(pending.values("due_at")[:1])

    @admin.display(description="Name", ordering="first_name")
    def full_name(self, obj: Contact) -> str:
        return obj.full_name

    @admin.display(description="Last interaction", ordering="last_interaction_at")
    def last_interaction(self, obj: Contact):
        return getattr(obj, "last_interaction_at", None)  # annotated by get_queryset()

    @admin.display(description="Next follow-up", ordering="next_followup_at")
    def next_followup(self, obj: Contact):
        return getattr(obj, "next_followup_at", None)


@admin.register(Interaction)
class InteractionAdmin(OwnedImportExportMixin, OwnedModelAdmin):
    # Imported interactions are saved one by one, so the rules schedule their follow-ups.
    resource_classes = [InteractionResource]
    list_display = [
        "occurred_at",
        "contact",
        "direction",
        "kind",
        "channel",
        "application",
        "subject",
    ]
    list_filter = ["direction", "kind", "channel"]
    list_select_related = ["contact", "application__company"]
    search_fields = [
        "subject",
        "body",
        "contact__first_name",
        "contact__last_name",
        "contact__email",
    ]
    autocomplete_fields = ["contact", "application"]
    date_hierarchy = "occurred_at"
