"""The people a job seeker deals with, and every interaction with them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from crm.models import Company, JobApplication, TracksLoadedValues
from crm.security.dates import validate_sane_date
from crm.security.weburls import validate_web_url


class Contact(TracksLoadedValues):
    class Role(models.TextChoices):
        RECRUITER = "recruiter", "Recruiter"
        HIRING_MANAGER = "hiring_manager", "Hiring manager"
        INTERVIEWER = "interviewer", "Interviewer"
        REFERRAL = "referral", "Referral"
        PEER = "peer", "Peer"
        OTHER = "other", "Other"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contacts"
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    company = models.ForeignKey(
        Company, null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    title = models.CharField("job title", max_length=200, blank=True)
    role = models.CharField(max_length=20, choices=Role, default=Role.RECRUITER)
    linkedin_url = models.URLField(
        "LinkedIn URL", blank=True, max_length=300, validators=[validate_web_url]
    )
    phone = models.CharField(max_length=50, blank=True)
    notes = models.TextField(blank=True)
    check_in_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Check in every N months; empty = no cadence yet, 0 = never.",
    )
    do_not_contact = models.BooleanField(
        default=False, help_text="Cancels every pending follow-up and schedules none."
    )
    applications = models.ManyToManyField(JobApplication, blank=True, related_name="contacts")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["first_name", "last_name"]
        indexes = [
            # The contacts list, by name (the model's ordering), a page at a time.
            models.Index(fields=["owner", "first_name", "last_name"], name="contact_owner_name"),
            # Imports match contacts by LinkedIn URL, then by email.
            models.Index(fields=["owner", "linkedin_url"], name="contact_owner_linkedin"),
            models.Index(fields=["owner", "email"], name="contact_owner_email"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    role__in=[
                        "recruiter",
                        "hiring_manager",
                        "interviewer",
                        "referral",
                        "peer",
                        "other",
                    ]
                ),
                name="contact_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Interaction(TracksLoadedValues):
    class Direction(models.TextChoices):
        INBOUND = "inbound", "Inbound (they contacted you)"
        OUTBOUND = "outbound", "Outbound (you contacted them)"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        PHONE = "phone", "Phone"
        VIDEO = "video", "Video call"
        IN_PERSON = "in_person", "In person"
        LINKEDIN = "linkedin", "LinkedIn"
        OTHER = "other", "Other"

    class Kind(models.TextChoices):
        REJECTION = "rejection", "Rejection"
        REPLY = "reply", "Reply"
        FEEDBACK_REQUEST = "feedback_request", "Feedback request"
        FEEDBACK = "feedback", "Feedback"
        NUDGE = "nudge", "Nudge"
        CHECK_IN = "check_in", "Check-in"
        CONNECT = "connect", "Connection request"
        THANK_YOU = "thank_you", "Thank-you"
        INTERVIEW = "interview", "Interview"
        OFFER = "offer", "Offer"
        NOTE = "note", "Note"
        OTHER = "other", "Other"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interactions"
    )
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="interactions"
    )
    application = models.ForeignKey(
        JobApplication,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )
    direction = models.CharField(max_length=10, choices=Direction)
    channel = models.CharField(max_length=12, choices=Channel, default=Channel.EMAIL)
    kind = models.CharField(max_length=20, choices=Kind, default=Kind.OTHER)
    requests_feedback = models.BooleanField(
        default=False, help_text="This message asked them for feedback (schedules one nudge)."
    )
    occurred_at = models.DateTimeField(validators=[validate_sane_date])
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    message_id = models.CharField(
        "Message-ID",
        max_length=300,
        blank=True,
        help_text="The email's Message-ID header, so the same email is logged only once.",
    )
    # Where an imported interaction came from (a LinkedIn message: conversation, date and
    # sender), so importing the same archive again updates instead of duplicating.
    external_id = models.CharField(max_length=100, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Set on an interaction the API wrote (followups.api.views), for its answer: the
    # follow-ups the rules scheduled and completed.
    scheduled: list[models.Model]
    completed: list[models.Model]

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # Timelines and "latest interaction with C" (R6, docs/rules.md#r6) read these.
            models.Index(fields=["contact", "occurred_at"], name="interaction_contact_time"),
            models.Index(fields=["application", "occurred_at"], name="interaction_app_time"),
            models.Index(fields=["owner", "occurred_at"], name="interaction_owner_time"),
            # The stats funnel reads an owner's logged interviews and offers by kind
            # (followups/stats/summary.py: pipeline_funnel; the owner index alone read
            # every interaction of the owner three times); the growth page's feedback to
            # tag is the latest by kind and time (followups/models/growth.py).
            models.Index(
                fields=["owner", "kind", "occurred_at", "application"],
                name="interaction_owner_kind",
            ),
            # The growth page's latest rejection per application (reflections_to_write).
            models.Index(
                fields=["application", "kind", "occurred_at"], name="interaction_app_kind_time"
            ),
            # The stats page's "asked for feedback" rows (feedback_answers): a few among
            # many, so a partial index.
            models.Index(
                fields=["owner", "contact"],
                condition=models.Q(requests_feedback=True, direction="outbound"),
                name="interaction_feedback_asked",
            ),
            # Quick log looks up an owner's email by Message-ID to log it only once.
            models.Index(
                fields=["owner", "message_id"],
                condition=~models.Q(message_id=""),
                name="interaction_owner_message_id",
            ),
        ]
        constraints = [
            # One row per imported message; the importer looks the ids up before writing.
            models.UniqueConstraint(
                fields=["owner", "external_id"],
                condition=~models.Q(external_id=""),
                name="interaction_external_id_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(direction__in=["inbound", "outbound"]),
                name="interaction_direction_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    channel__in=["email", "phone", "video", "in_person", "linkedin", "other"]
                ),
                name="interaction_channel_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "rejection",
                        "reply",
                        "feedback_request",
                        "feedback",
                        "nudge",
                        "check_in",
                        "connect",
                        "thank_you",
                        "interview",
                        "offer",
                        "note",
                        "other",
                    ]
                ),
                name="interaction_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        who = self.contact.full_name if self.contact else "no contact"
        arrow = "from" if self.direction == self.Direction.INBOUND else "to"
        return f"{self.get_kind_display()} {arrow} {who} on {self.occurred_at:%Y-%m-%d}"


class ImportJob(models.Model):
    """A big import run by the worker in short transactions (contacts/importers/jobs.py).

    One row per confirmed import past IMPORT_IN_REQUEST_MAX_ROWS: its state, how far the
    batches have got (`position`, a row index of the plan, saved with each batch in the
    batch's own transaction, so a re-run resumes after the last committed batch), and what
    the batches wrote, so a failed or interrupted import takes exactly that back out.
    """

    class Kind(models.TextChoices):
        LINKEDIN = "linkedin", "LinkedIn connections"
        APPLICATIONS = "applications", "Applications"
        ARCHIVE = "archive", "LinkedIn archive"

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for the worker"
        WRITING = "writing", "Importing"
        DONE = "done", "Imported"
        FAILED = "failed", "Not imported"

    FINISHED = (State.DONE, State.FAILED)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    state = models.CharField(max_length=10, choices=State, default=State.QUEUED)
    # The staged upload's token (contacts/importers/staging.py), deleted once finished.
    token = models.CharField(max_length=64)
    file_name = models.CharField(max_length=255, blank=True)
    # The preview's answers: column mapping, status meanings, date order.
    options = models.JSONField(default=dict, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    position = models.PositiveIntegerField(default=0)
    # An archive is written part by part (connections, applications, messages,
    # invitations, the confirmed rejections, then the rules): `part` is the one in
    # progress, `position` a row (or message) index within it, `done` the rows written
    # over all parts (its progress), and `carry` what a later part needs from the earlier
    # batches (the confirmed rejections, the latest messages the rules run on).
    part = models.CharField(max_length=20, blank=True, default="")
    done = models.PositiveIntegerField(default=0)
    carry = models.JSONField(default=dict, blank=True)
    # ImportResult's counts, summed over the committed batches.
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    # [[app_label.model, pk], ...] rows the batches created, and
    # [[app_label.model, pk, {attname: old value}], ...] rows they changed: take_back
    # deletes the first and puts the second back.
    created = models.JSONField(default=list, blank=True)
    changed = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The worker's heartbeat, touched by every batch (see jobs.recover_stale).
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["queued", "writing", "done", "failed"]),
                name="import_job_state_valid",
            ),
            # One import at a time per account: two at once would each plan against rows
            # the other is still writing (the in-request import takes the owner's lock).
            models.UniqueConstraint(
                fields=["owner"],
                condition=models.Q(state__in=["queued", "writing"]),
                name="one_unfinished_import_per_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in self.FINISHED

    @property
    def rows_done(self) -> int:
        done = self.done if self.kind == self.Kind.ARCHIVE else self.position
        return min(done, self.rows_total)

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.state == self.State.DONE else 0
        return min(100, self.rows_done * 100 // self.rows_total)

    @property
    def rules_progress(self) -> tuple[str, int, int] | None:
        """An archive's last two parts, which write no rows of the file: (what, done,
        of how many) for its page, None otherwise."""
        if self.kind != self.Kind.ARCHIVE or self.finished:
            return None
        if self.part == "rejections":
            total = len(self.carry.get("rejections", []))
            return ("Saving the rejections you confirmed", min(self.position, total), total)
        if self.part == "rules":
            total = len(self.carry.get("latest", []))
            return (
                "Applying the follow-up rules to each contact’s latest messages",
                min(self.position, total),
                total,
            )
        return None


class ImportRuleChanges(models.Model):
    """What the follow-up rules created and changed in one batch of an ImportJob
    (crm/undo.py's record: follow-ups, their history, contacts' cadences, applications),
    so a take-back puts the rows that were there before the import back as they were.
    One row per batch, written in the batch's transaction: appending keeps each batch's
    write its own size however long the job runs."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rule_changes")
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["pk"]
        verbose_name_plural = "import rule changes"

    def __str__(self) -> str:
        return f"Rule changes of import {self.job_id}"
