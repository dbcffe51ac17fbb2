"""Follow-ups, their append-only history, reply templates and the scheduler's records."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from contacts.models import Contact, Interaction
from crm.models import JobApplication


class FollowUp(models.Model):
    class Kind(models.TextChoices):
        REPLY = "reply", "Reply to the rejection"
        FEEDBACK_NUDGE = "feedback_nudge", "Nudge for feedback"
        CHECK_IN = "check_in", "Check in"
        CONNECT = "connect", "Connect on LinkedIn"
        THANK_YOU = "thank_you", "Send a thank-you"
        APPLICATION_CHECK = "application_check", "Ask about the application"
        GOAL = "goal", "Goal deadline"
        CUSTOM = "custom", "Follow up"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        DISMISSED = "dismissed", "Dismissed"
        CANCELLED = "cancelled", "Cancelled"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="followups"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="followups"
    )
    application = models.ForeignKey(
        JobApplication, null=True, blank=True, on_delete=models.SET_NULL, related_name="followups"
    )
    source = models.ForeignKey(
        Interaction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="caused_followups",
        help_text="The interaction that caused this follow-up.",
    )
    kind = models.CharField(max_length=20, choices=Kind)
    status = models.CharField(max_length=12, choices=Status, default=Status.PENDING)
    due_at = models.DateTimeField(help_text="When the reminder fires.")
    deadline = models.DateTimeField(null=True, blank=True, help_text="End of the window.")
    draft_subject = models.CharField(max_length=300, blank=True)
    draft_body = models.TextField(blank=True)
    notified_at = models.DateTimeField(null=True, blank=True, help_text="Reminder email sent.")
    completed_by = models.ForeignKey(
        Interaction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="completed_followups",
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)

    # Delivery bookkeeping of the scheduler (see followups/scheduler.py).
    claimed_until = models.DateTimeField(
        null=True, blank=True, help_text="Lease of a tick that is sending the reminder."
    )
    send_attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_late = models.BooleanField(default=False, help_text="The reminder went out late.")

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            # The scheduler's tick reads only pending, un-notified rows by due time; a
            # partial index keeps that scan small however many done rows pile up.
            models.Index(
                fields=["due_at"],
                condition=models.Q(status="pending", notified_at__isnull=True),
                name="followup_reminder_queue",
            ),
            # The dashboard lists a user's pending follow-ups by due time.
            models.Index(fields=["owner", "status", "due_at"], name="followup_owner_status_due"),
            # The rules look up a contact's pending follow-ups of one kind.
            models.Index(fields=["contact", "kind", "status"], name="followup_contact_kind_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "done", "dismissed", "cancelled"]),
                name="followup_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "reply",
                        "feedback_nudge",
                        "check_in",
                        "connect",
                        "thank_you",
                        "application_check",
                        "goal",
                        "custom",
                    ]
                ),
                name="followup_kind_valid",
            ),
            # R6: exactly one pending check-in per contact.
            models.UniqueConstraint(
                fields=["contact"],
                condition=models.Q(status="pending", kind="check_in"),
                name="followup_one_pending_check_in",
            ),
        ]

    def __str__(self) -> str:
        who = self.contact.full_name if self.contact_id else "—"
        return f"{self.get_kind_display()}: {who} (due {self.due_at:%Y-%m-%d %H:%M} UTC)"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    # State transitions: the only way a follow-up changes status. Each one appends a
    # FollowUpEvent, so the timeline can show what happened and why.

    def _transition(
        self,
        new_status: str,
        *,
        reason: str = "",
        interaction: Interaction | None = None,
        now: datetime | None = None,
        extra_fields: tuple[str, ...] = (),
    ) -> None:
        now = now or timezone.now()
        old_status = self.status
        self.status = new_status
        with transaction.atomic():
            self.save(update_fields=["status", "updated_at", *extra_fields])
            FollowUpEvent.objects.create(
                followup=self,
                old_status=old_status,
                new_status=new_status,
                reason=reason,
                interaction=interaction,
                at=now,
            )

    def complete(
        self, interaction: Interaction | None = None, *, now: datetime | None = None
    ) -> None:
        """Done: the matching outbound interaction was logged (or the user said so)."""
        now = now or timezone.now()
        self.completed_by = interaction
        self.completed_at = now
        self._transition(
            self.Status.DONE,
            reason="Sent" if interaction else "Marked done",
            interaction=interaction,
            now=now,
            extra_fields=("completed_by", "completed_at"),
        )

    def cancel(
        self, reason: str, *, interaction: Interaction | None = None, now: datetime | None = None
    ) -> None:
        """No longer needed (the contact answered, the source was deleted, do-not-contact…)."""
        self.cancel_reason = reason
        self._transition(
            self.Status.CANCELLED,
            reason=reason,
            interaction=interaction,
            now=now,
            extra_fields=("cancel_reason",),
        )

    def snooze(self, until: datetime, *, now: datetime | None = None) -> None:
        """Moves the reminder to `until` and re-arms its email."""
        old_due = self.due_at
        self.due_at = until
        self.notified_at = None
        self.claimed_until = None
        self.next_attempt_at = None
        self.send_attempts = 0
        self.last_error = ""
        self.sent_late = False
        self._transition(
            self.status,
            reason=f"Snoozed from {old_due:%Y-%m-%d %H:%M} UTC to {until:%Y-%m-%d %H:%M} UTC",
            now=now,
            extra_fields=(
                "due_at",
                "notified_at",
                "claimed_until",
                "next_attempt_at",
                "send_attempts",
                "last_error",
                "sent_late",
            ),
        )

    def dismiss(self, *, now: datetime | None = None) -> None:
        """The user decided not to do it."""
        self._transition(self.Status.DISMISSED, reason="Dismissed", now=now)

    def reopen(self, *, now: datetime | None = None) -> None:
        """Back to pending (undo of dismiss, complete or cancel)."""
        self.completed_by = None
        self.completed_at = None
        self.cancel_reason = ""
        self._transition(
            self.Status.PENDING,
            reason="Reopened",
            now=now,
            extra_fields=("completed_by", "completed_at", "cancel_reason"),
        )


class FollowUpEvent(models.Model):
    """Append-only history of a follow-up's transitions."""

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="events")
    old_status = models.CharField(max_length=12, choices=FollowUp.Status, blank=True)
    new_status = models.CharField(max_length=12, choices=FollowUp.Status)
    reason = models.CharField(max_length=300, blank=True)
    interaction = models.ForeignKey(
        Interaction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followup_events",
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.followup_id}: {self.old_status or '∅'} → {self.new_status} ({self.reason})"


class ReplyTemplate(models.Model):
    """A draft template per follow-up kind: built-in (owner null) or a user's override."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        LINKEDIN = "linkedin", "LinkedIn"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reply_templates",
    )
    kind = models.CharField(max_length=20, choices=FollowUp.Kind)
    variant = models.CharField(max_length=50, default="default")
    name = models.CharField(max_length=100, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField()
    channel = models.CharField(max_length=12, choices=Channel, default=Channel.EMAIL)

    class Meta:
        ordering = ["kind", "variant"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "kind"],
                condition=models.Q(owner__isnull=False),
                name="replytemplate_one_override_per_kind",
            ),
            models.UniqueConstraint(
                fields=["kind", "variant"],
                condition=models.Q(owner__isnull=True),
                name="replytemplate_builtin_unique_variant",
            ),
        ]

    def __str__(self) -> str:
        whose = "built-in" if self.owner_id is None else str(self.owner)
        return f"{self.get_kind_display()} ({self.variant}, {whose})"


class SchedulerTick(models.Model):
    """One row per scheduler tick, so pages and /healthz can tell the worker is alive."""

    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveIntegerField(default=0)
    digests_sent = models.PositiveIntegerField(default=0)
    failures = models.PositiveIntegerField(default=0)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Tick at {self.started_at:%Y-%m-%d %H:%M:%S}"


class DigestDelivery(models.Model):
    """The daily digest of one user for one local date: at most one such row, so at most
    one digest a day however many ticks run (the scheduler claims the day by inserting it).
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_deliveries"
    )
    local_date = models.DateField(help_text="The day in the owner's time zone.")
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    nothing_to_say = models.BooleanField(default=False, help_text="Nothing was due: no email.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-local_date"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "local_date"], name="digest_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"Digest of {self.owner} for {self.local_date}"
