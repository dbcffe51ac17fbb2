"""Admin for follow-ups. Status changes only through the model's transition methods."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.utils import timezone

from contacts.admin import ContactAdmin, InteractionAdmin
from contacts.models import Interaction
from contacts.resources import InteractionResource
from crm.admin import OwnedModelAdmin, OwnerScopedMixin
from followups.mailbox import admin as mailbox_admin  # noqa: F401 - registers its admins
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
    fields = readonly_fields = ("at", "old_status", "new_status", "reason", "interaction")

    def has_add_permission(self, request, obj=None):
        return False


class ContactFollowUpInline(OwnerScopedMixin, admin.TabularInline):
    """The contact's follow-ups inside the contact editor (read-only: use the actions)."""

    model = FollowUp
    fk_name = "contact"
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "kind",
        "status",
        "due_at",
        "deadline",
        "application",
        "draft_subject",
    )
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
    actions = ["mark_sent_selected", "dismiss_selected", "reopen_selected", "snooze_one_day"]

    @admin.action(description="Mark selected sent (logs each draft as sent)")
    def mark_sent_selected(self, request, queryset):
        # Through rules.mark_sent, like the pages: the text decides requests_feedback.
        from followups import rules

        sent = 0
        for followup in queryset.filter(status=FollowUp.Status.PENDING):
            try:
                rules.mark_sent(followup)
            except rules.FollowUpNotPending:
                continue
            sent += 1
        messages.success(request, f"Marked {sent} follow-up(s) sent.")

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


# Interactions logged in the admin or imported there decide "asks for feedback" the way
# mark sent does (from the text), unless the person says otherwise. contacts cannot know
# the draft checker, so followups extends its admin, as for the contact editor above.

FEEDBACK_CHOICES = [("", "Decide from the text"), ("yes", "Yes"), ("no", "No")]


def _asks(direction: str, subject: str, body: str) -> bool:
    from followups.drafts import asks_for_feedback

    return direction == Interaction.Direction.OUTBOUND and asks_for_feedback(f"{subject}\n{body}")


class InteractionFeedbackForm(forms.ModelForm):
    requests_feedback = forms.ChoiceField(
        label="Asks for feedback",
        choices=FEEDBACK_CHOICES,
        required=False,
        help_text="A message you sent that asks for feedback schedules one nudge. Left to "
        "the text, it is read as the draft checker reads a feedback request.",
    )

    class Meta:
        model = Interaction
        # The admin passes its own field list; these are the ones a person edits.
        fields = [
            "owner",
            "contact",
            "application",
            "direction",
            "channel",
            "kind",
            "requests_feedback",
            "occurred_at",
            "subject",
            "body",
            "message_id",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["requests_feedback"] = "yes" if self.instance.requests_feedback else "no"

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        choice = data.get("requests_feedback", "")
        if choice in ("yes", "no"):
            data["requests_feedback"] = choice == "yes"
        else:  # subject and body are cleaned by now (they come after the choice)
            data["requests_feedback"] = _asks(
                data.get("direction", ""), data.get("subject", ""), data.get("body", "")
            )
        return data


class FeedbackFromTextInteractionResource(InteractionResource):
    """An imported message without a requests_feedback value: read from its text."""

    def before_save_instance(self, instance, row, **kwargs) -> None:
        super().before_save_instance(instance, row, **kwargs)
        if str(row.get("requests_feedback", "") or "").strip() == "":
            instance.requests_feedback = _asks(instance.direction, instance.subject, instance.body)


# django-stubs cannot declare `form` a ClassVar (it holds a type variable; its issue #482).
InteractionAdmin.form = InteractionFeedbackForm  # type: ignore[misc]
InteractionAdmin.resource_classes = [FeedbackFromTextInteractionResource]


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
