"""Admin for follow-ups. Status changes only through the model's transition methods."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import admin, messages
from django.utils import timezone

from contacts.admin import ContactAdmin
from crm.admin import OwnedModelAdmin, OwnerScopedMixin
from followups.models import (
    FollowUp,
    FollowUpEvent,
    Goal,
    GoalProgress,
    Reflection,
    ReplyTemplate,
    SchedulerTick,
)

_STATE_FIELDS = [
    "status",
    "notified_at",
    "completed_by",
    "completed_at",
    "cancel_reason",
    "claimed_until",
    "send_attempts",
    "next_attempt_at",
    "last_error",
    "sent_late",
    "source",
]


class FollowUpEventInline(admin.TabularInline):
    model = FollowUpEvent
    extra = 0
    can_delete = False
    fields = ["at", "old_status", "new_status", "reason", "interaction"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ContactFollowUpInline(OwnerScopedMixin, admin.TabularInline):
    """The contact's follow-ups inside the contact editor (read-only: use the actions)."""

    model = FollowUp
    fk_name = "contact"
    extra = 0
    can_delete = False
    fields = ["kind", "status", "due_at", "deadline", "application", "draft_subject"]
    readonly_fields = fields
    ordering = ["-due_at"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


# followups may extend the contact editor; contacts itself never imports followups.
ContactAdmin.inlines = [*ContactAdmin.inlines, ContactFollowUpInline]


@admin.register(FollowUp)
class FollowUpAdmin(OwnedModelAdmin):
    list_display = ["kind", "contact", "application", "status", "due_at", "deadline", "notified_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["contact", "application__company"]
    search_fields = ["draft_subject", "contact__first_name", "contact__last_name", "contact__email"]
    autocomplete_fields = ["contact", "application"]
    readonly_fields = _STATE_FIELDS
    date_hierarchy = "due_at"
    inlines = [FollowUpEventInline]
    actions = ["dismiss_selected", "reopen_selected", "snooze_one_day"]

    @admin.action(description="Dismiss selected follow-ups")
    def dismiss_selected(self, request, queryset):
        items = list(queryset.filter(status=FollowUp.Status.PENDING))
        for followup in items:
            followup.dismiss()
        messages.success(request, f"Dismissed {len(items)} follow-up(s).")

    @admin.action(description="Reopen selected follow-ups")
    def reopen_selected(self, request, queryset):
        items = list(queryset.exclude(status=FollowUp.Status.PENDING))
        for followup in items:
            followup.reopen()
        messages.success(request, f"Reopened {len(items)} follow-up(s).")

    @admin.action(description="Snooze selected by one day")
    def snooze_one_day(self, request, queryset):
        items = list(queryset.filter(status=FollowUp.Status.PENDING))
        for followup in items:
            followup.snooze(max(followup.due_at, timezone.now()) + timedelta(days=1))
        messages.success(request, f"Snoozed {len(items)} follow-up(s) by a day.")


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(OwnedModelAdmin):
    list_display = ["kind", "variant", "name", "channel", "owner"]
    list_filter = ["kind", "channel"]
    search_fields = ["name", "subject", "body"]


class GoalProgressInline(admin.TabularInline):
    model = GoalProgress
    extra = 0
    fields = ["on", "note"]


@admin.register(Goal)
class GoalAdmin(OwnedModelAdmin):
    """Goals of the growth plan; saving one keeps its `goal` follow-up in step."""

    list_display = ["specific", "deadline", "status", "theme", "application"]
    list_filter = ["status", "theme"]
    list_select_related = ["application__company"]
    search_fields = ["specific", "measurable"]
    autocomplete_fields = ["application"]
    readonly_fields = ["followup", "done_at", "action_key"]
    inlines = [GoalProgressInline]


@admin.register(Reflection)
class ReflectionAdmin(OwnedModelAdmin):
    list_display = ["application", "updated_at"]
    list_select_related = ["application__company"]
    search_fields = ["application__title", "application__company__name", "takeaway"]
    autocomplete_fields = ["application"]


@admin.register(SchedulerTick)
class SchedulerTickAdmin(admin.ModelAdmin):
    """The scheduler's health records, for superusers to read. Only the scheduler writes
    them: a forged or deleted tick would make /healthz lie (issue 13, item 4)."""

    list_display = ["started_at", "finished_at", "reminders_sent", "digests_sent", "failures"]
    readonly_fields = [
        "started_at",
        "finished_at",
        "reminders_sent",
        "digests_sent",
        "failures",
        "note",
    ]

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
