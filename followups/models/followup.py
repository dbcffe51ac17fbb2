"""Follow-ups and their append-only history: every transition goes through one method."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, models, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from contacts.models import Contact, Interaction
from crm import undo
from crm.models import JobApplication
from crm.security.dates import validate_sane_date

if TYPE_CHECKING:
    from django.contrib.auth.models import User


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
    due_at = models.DateTimeField(
        help_text="When the reminder fires.", validators=[validate_sane_date]
    )
    deadline = models.DateTimeField(
        null=True, blank=True, help_text="End of the window.", validators=[validate_sane_date]
    )
    draft_subject = models.CharField(max_length=300, blank=True)
    draft_body = models.TextField(blank=True)
    notified_at = models.DateTimeField(
        null=True, blank=True, help_text="Reminder email sent.", validators=[validate_sane_date]
    )
    completed_by = models.ForeignKey(
        Interaction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="completed_followups",
    )
    completed_at = models.DateTimeField(null=True, blank=True, validators=[validate_sane_date])
    cancel_reason = models.CharField(max_length=300, blank=True)

    # Delivery bookkeeping of the scheduler (see followups/scheduler.py).
    claimed_until = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Lease of a tick that is sending the reminder.",
        validators=[validate_sane_date],
    )
    send_attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, validators=[validate_sane_date])
    first_failed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="First temporary refusal of this reminder email.",
        validators=[validate_sane_date],
    )
    last_error = models.TextField(blank=True)
    sent_late = models.BooleanField(default=False, help_text="The reminder went out late.")
    # The draft checker's findings the user set aside for this draft (Finding.key values),
    # so the editor stops showing them while the text they point at is unchanged.
    dismissed_findings = models.JSONField(default=list, blank=True)

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
            # The calendar feed reads an owner's follow-ups by due time, pending or
            # recently closed, the first FEED_LIMIT of them (followups/calendar/feed.py).
            models.Index(fields=["owner", "due_at", "id"], name="followup_owner_due"),
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
            # R6 (docs/rules.md#r6): exactly one pending check-in per contact.
            models.UniqueConstraint(
                fields=["contact"],
                condition=models.Q(status="pending", kind="check_in"),
                name="followup_one_pending_check_in",
            ),
        ]

    def __str__(self) -> str:
        who = self.contact.full_name if self.contact else "—"
        return f"{self.get_kind_display()}: {who} (due {self.due_at:%Y-%m-%d %H:%M} UTC)"

    # A reminder email the mail server deferred (4xx, no connection, a timeout) is tried
    # again with backoff for SEND_RETRY_FOR, as RFC 5321 §4.5.4.1 asks of a mail client;
    # a permanent refusal (5xx) or the end of that window gives up, which the scheduler
    # records by setting send_attempts to MAX_SEND_ATTEMPTS (also a cap on the tries).
    MAX_SEND_ATTEMPTS = 200
    SEND_RETRY_FOR = timedelta(days=4)

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def delivery_error(self) -> str:
        """The mail server's last refusal, once the scheduler has given up on the email."""
        if self.notified_at is None and self.send_attempts >= self.MAX_SEND_ATTEMPTS:
            return self.last_error or "The mail server refused it."
        return ""

    @property
    def delivery_delay(self) -> str:
        """While a deferred reminder email waits for its next try: what the server said."""
        if (
            self.notified_at is None
            and 0 < self.send_attempts < self.MAX_SEND_ATTEMPTS
            and self.next_attempt_at is not None
            and self.last_error
        ):
            return self.last_error
        return ""

    # State transitions: the only way a follow-up changes status. Each one is a
    # conditional UPDATE on the status the caller saw, so a double click or two workers
    # racing make one transition, not two; each transition appends a FollowUpEvent, so
    # the timeline can show what happened, when and which interaction caused it.
    # Every method returns True when it changed the row, False when the follow-up was
    # not in a state that allows it (nothing is written then).

    @classmethod
    def schedule(
        cls,
        *,
        owner: User,
        kind: str,
        due_at: datetime,
        contact: Contact | None = None,
        application: JobApplication | None = None,
        source: Interaction | None = None,
        deadline: datetime | None = None,
        draft: Callable[[FollowUp], tuple[str, str]] | None = None,
        draft_subject: str = "",
        draft_body: str = "",
        reason: str = "Scheduled",
        now: datetime | None = None,
    ) -> FollowUp:
        """Creates a pending follow-up with its draft and its first history row.

        The draft is `draft_subject`/`draft_body` as given, or written by `draft` from the
        unsaved follow-up (the rules pass `followups.drafts.draft_for`): models know
        nothing of the template library, so drafts may import them and not the reverse.
        """
        followup = cls(
            owner=owner,
            kind=kind,
            due_at=due_at,
            deadline=deadline,
            contact=contact,
            application=application,
            source=source,
        )
        if draft is not None:
            draft_subject, draft_body = draft(followup)
        followup.draft_subject, followup.draft_body = draft_subject, draft_body
        with transaction.atomic():
            followup.save()
            followup._log("", cls.Status.PENDING, reason=reason, interaction=source, now=now)
        return followup

    def _log(
        self,
        old_status: str,
        new_status: str,
        *,
        reason: str,
        interaction: Interaction | None,
        now: datetime | None,
    ) -> None:
        FollowUpEvent.objects.create(
            followup=self,
            old_status=old_status,
            new_status=new_status,
            reason=reason[:300],
            interaction=interaction,
            at=now or timezone.now(),
        )

    def _transition(
        self,
        allowed_from: tuple[str, ...],
        new_status: str,
        *,
        reason: str = "",
        interaction: Interaction | None = None,
        now: datetime | None = None,
        changes: dict | None = None,
    ) -> bool:
        now = now or timezone.now()
        old_status = self.status
        if old_status not in allowed_from:
            return False
        changes = {"status": new_status, **(changes or {}), "updated_at": now}
        with transaction.atomic():
            undo.note_change(self)  # an UPDATE sends no signal (crm/undo.py)
            updated = type(self).objects.filter(pk=self.pk, status=old_status).update(**changes)
            if updated != 1:
                # Someone else moved it first; show the caller the row as it is now.
                self.refresh_from_db()
                return False
            for name, value in changes.items():
                setattr(self, name, value)
            self._log(old_status, new_status, reason=reason, interaction=interaction, now=now)
        return True

    def complete(
        self, interaction: Interaction | None = None, *, now: datetime | None = None
    ) -> bool:
        """Done: the matching outbound interaction was logged (or the user said so)."""
        now = now or timezone.now()
        return self._transition(
            (self.Status.PENDING,),
            self.Status.DONE,
            reason=f"Sent: {interaction}" if interaction else "Marked done",
            interaction=interaction,
            now=now,
            changes={"completed_by": interaction, "completed_at": now},
        )

    def cancel(
        self, reason: str, *, interaction: Interaction | None = None, now: datetime | None = None
    ) -> bool:
        """No longer needed (the contact answered, the source was deleted, do-not-contact…)."""
        return self._transition(
            (self.Status.PENDING,),
            self.Status.CANCELLED,
            reason=reason,
            interaction=interaction,
            now=now,
            changes={"cancel_reason": reason[:300]},
        )

    def snooze(self, until: datetime, *, now: datetime | None = None) -> bool:
        """Moves the reminder of a pending follow-up to `until` and re-arms its email.

        A snooze past the end of the window takes the deadline along: a follow-up is
        never due after its own deadline (the page says the window was passed).
        """
        changes = {"due_at": until, **self._rearmed_delivery()}
        if self.deadline is not None and self.deadline < until:
            changes["deadline"] = until
        return self._transition(
            (self.Status.PENDING,),
            self.Status.PENDING,
            reason=f"Snoozed from {self.due_at:%Y-%m-%d %H:%M} UTC to {until:%Y-%m-%d %H:%M} UTC",
            now=now,
            changes=changes,
        )

    def dismiss(self, *, now: datetime | None = None) -> bool:
        """The user decided not to do it."""
        return self._transition(
            (self.Status.PENDING,), self.Status.DISMISSED, reason="Dismissed", now=now
        )

    def reopen(self, *, now: datetime | None = None) -> bool:
        """Back to pending (undo of dismiss, complete or cancel).

        A contact keeps a single pending check-in, so a check-in cannot be reopened while
        a newer one is pending (returns False).
        """
        if (
            self.kind == self.Kind.CHECK_IN
            and type(self)
            .objects.filter(contact=self.contact_id, kind=self.kind, status=self.Status.PENDING)
            .exclude(pk=self.pk)
            .exists()
        ):
            return False
        return self._transition(
            (self.Status.DONE, self.Status.DISMISSED, self.Status.CANCELLED),
            self.Status.PENDING,
            reason="Reopened",
            now=now,
            changes={"completed_by": None, "completed_at": None, "cancel_reason": ""},
        )

    def reschedule(
        self,
        due_at: datetime,
        *,
        deadline: datetime | None = None,
        reason: str,
        interaction: Interaction | None = None,
        now: datetime | None = None,
    ) -> bool:
        """The rules moved a pending follow-up (its source was edited, a newer interaction
        moved a check-in). Re-arms the reminder when the due time changes; a deadline
        before the new due time is moved up to it."""
        if deadline is not None and deadline < due_at:
            deadline = due_at
        if due_at == self.due_at and deadline == self.deadline:
            return False
        changes: dict = {"due_at": due_at, "deadline": deadline}
        if due_at != self.due_at:
            changes.update(self._rearmed_delivery())
        return self._transition(
            (self.Status.PENDING,),
            self.Status.PENDING,
            reason=reason,
            interaction=interaction,
            now=now,
            changes=changes,
        )

    @staticmethod
    def _rearmed_delivery() -> dict:
        # A moved reminder is a new reminder: the scheduler sends it again at the new time.
        return {
            "notified_at": None,
            "claimed_until": None,
            "next_attempt_at": None,
            "first_failed_at": None,
            "send_attempts": 0,
            "last_error": "",
            "sent_late": False,
        }


def db_datetime(value: datetime) -> Any:
    """`value` as the database driver wants it for a datetime column in raw SQL (naive
    UTC on SQLite, aware on PostgreSQL), through the field's documented
    get_db_prep_value(): the scheduler's claims and the dashboard's counts are SQL."""
    return FollowUp._meta.get_field("due_at").get_db_prep_value(value, connection)


def own_followup(user: User, pk: int) -> FollowUp:
    """The follow-up `pk` of `user`, with what its pages show; anyone else's answers 404."""
    queryset = FollowUp.objects.select_related("contact__company", "application__company", "source")
    return get_object_or_404(queryset, pk=pk, owner=user)


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
    at = models.DateTimeField(default=timezone.now, validators=[validate_sane_date])

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.followup_id}: {self.old_status or '∅'} → {self.new_status} ({self.reason})"
