"""The growth plan's data: feedback themes, goals with progress notes, reflections.

Re-exported by followups.models so Django registers them with the followups app. A goal
with a deadline owns one `goal` follow-up (its reminder), kept in step on every save; the
follow-up changes state only through its own methods.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from contacts.models import Interaction
from crm.models import JobApplication, Profile, TracksLoadedValues
from crm.security.dates import validate_sane_date
from followups import growth
from followups.models.followup import FollowUp

if TYPE_CHECKING:
    from django.contrib.auth.models import User

THEME_CHOICES = list(growth.THEME_LABELS.items())


class FeedbackTheme(models.Model):
    """A theme the user confirmed for a piece of feedback (an inbound `feedback` interaction)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_themes"
    )
    interaction = models.ForeignKey(
        Interaction, on_delete=models.CASCADE, related_name="feedback_themes"
    )
    theme = models.CharField(max_length=20, choices=THEME_CHOICES)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["interaction", "theme"]
        constraints = [
            models.UniqueConstraint(
                fields=["interaction", "theme"], name="feedbacktheme_once_per_interaction"
            ),
        ]
        indexes = [
            # The growth page counts a user's themes across applications.
            models.Index(fields=["owner", "theme"], name="feedbacktheme_owner_theme"),
        ]

    def __str__(self) -> str:
        return f"{self.get_theme_display()} ({self.interaction_id})"

    @classmethod
    def set_for(cls, interaction: Interaction, themes: set[str] | list[str]) -> None:
        """Makes `themes` the confirmed themes of the feedback: adds new, drops unticked."""
        themes = set(themes)
        with transaction.atomic():
            cls.objects.filter(interaction=interaction).exclude(theme__in=themes).delete()
            existing = set(
                cls.objects.filter(interaction=interaction).values_list("theme", flat=True)
            )
            FeedbackTheme.objects.bulk_create(
                FeedbackTheme(owner=interaction.owner, interaction=interaction, theme=theme)
                for theme in sorted(themes - existing)
            )


class Goal(TracksLoadedValues):
    """A SMART improvement goal; its deadline schedules a `goal` follow-up before it."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="goals"
    )
    specific = models.CharField(
        "specific: what exactly will you do?",
        max_length=300,
        help_text="e.g. Add three achievements with figures to my CV.",
    )
    measurable = models.CharField(
        "measurable: how will you know it is done?", max_length=300, blank=True
    )
    achievable = models.CharField("achievable: how will you fit it in?", max_length=300, blank=True)
    relevant = models.CharField("relevant: why does it matter?", max_length=300, blank=True)
    deadline = models.DateField("time-bound: deadline", validators=[validate_sane_date])
    remind_days_before = models.PositiveSmallIntegerField(
        "remind me this many days before",
        default=2,
        validators=[MaxValueValidator(60)],
        help_text="The reminder comes on the working morning this many days before the deadline.",
    )
    application = models.ForeignKey(
        JobApplication, null=True, blank=True, on_delete=models.SET_NULL, related_name="goals"
    )
    theme = models.CharField(max_length=20, choices=THEME_CHOICES, blank=True)
    action_key = models.CharField(
        max_length=60, blank=True, help_text="The suggested action it was made from, if any."
    )
    status = models.CharField(max_length=8, choices=Status, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True, validators=[validate_sane_date])
    followup = models.OneToOneField(
        FollowUp,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="goal",
        help_text="The reminder before the deadline.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["status", "deadline", "id"]
        indexes = [models.Index(fields=["owner", "status"], name="goal_owner_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "done"]), name="goal_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.specific

    def get_absolute_url(self) -> str:
        return reverse("followups:goal-detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.sync_reminder()
        self.remember_values()

    # State transitions ----------------------------------------------------------------

    def mark_done(self, *, now: datetime | None = None) -> None:
        """Done: its reminder is done too."""
        self.status = self.Status.DONE
        self.done_at = now or timezone.now()
        self.save()

    def reopen(self) -> None:
        """Back to open: its reminder is pending again, at the right time."""
        self.status = self.Status.OPEN
        self.done_at = None
        self.save()

    # The reminder ---------------------------------------------------------------------

    def sync_reminder(self, *, now: datetime | None = None) -> None:
        """Brings the `goal` follow-up in line with the goal: create, move, complete, reopen."""
        now = now or timezone.now()
        reminder = self.followup
        if not self.is_open:
            if reminder is not None and reminder.is_pending:
                reminder.complete(now=now)
            return
        profile = Profile.for_user(self.owner)
        due = growth.goal_reminder_due(self.deadline, self.remind_days_before, profile, now=now)
        end = growth.goal_deadline_instant(self.deadline, profile)
        subject, body = self.reminder_text()
        if reminder is None:
            self.followup = FollowUp.schedule(
                owner=self.owner,
                kind=FollowUp.Kind.GOAL,
                due_at=due,
                deadline=end,
                application=self.application,
                draft_subject=subject,
                draft_body=body,
                reason="Reminder of a goal's deadline",
                now=now,
            )
            Goal.objects.filter(pk=self.pk).update(followup=self.followup)
            return
        # The wording follows the goal; it is not a state, so a plain update will do.
        FollowUp.objects.filter(pk=reminder.pk).update(
            draft_subject=subject, draft_body=body, application=self.application
        )
        # Only a changed deadline (or a reopened goal) moves the reminder, so a snooze the
        # user chose on the dashboard survives edits of the goal's wording.
        timing_changed = self.has_changed("deadline") or self.has_changed("remind_days_before")
        reopened = self.has_changed("status")
        if not (timing_changed or reopened):
            return
        if not reminder.is_pending:
            reminder.reopen(now=now)
        reminder.reschedule(due, deadline=end, reason="The goal's deadline moved", now=now)

    def reminder_text(self) -> tuple[str, str]:
        """The reminder's subject and body: the goal in the user's own SMART words."""
        subject = f"Goal due {self.deadline:%a %d %b}: {self.specific}"[:300]
        lines = [f"Your goal: {self.specific}"]
        for label, value in (
            ("Done when", self.measurable),
            ("How", self.achievable),
            ("Why", self.relevant),
        ):
            if value:
                lines.append(f"{label}: {value}")
        lines.append(f"Deadline: {self.deadline:%A %d %B %Y}")
        lines.append("Add a progress note or mark it done on the goal's page.")
        return subject, "\n".join(lines)

    def days_left(self, today: date) -> int:
        return (self.deadline - today).days


class GoalProgress(models.Model):
    """A dated note on the way to a goal."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="progress_notes")
    on = models.DateField("date", default=date.today, validators=[validate_sane_date])
    note = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name_plural = "goal progress notes"

    def __str__(self) -> str:
        return f"{self.on}: {self.note[:40]}"


class Reflection(models.Model):
    """A guided look back at one application: each question answered, each with a note."""

    class Answer(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NO = "no", "No"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reflections"
    )
    application = models.OneToOneField(
        JobApplication, on_delete=models.CASCADE, related_name="reflection"
    )
    tailored_answer = models.CharField(max_length=8, choices=Answer, blank=True)
    tailored_note = models.TextField(blank=True)
    error_free_answer = models.CharField(max_length=8, choices=Answer, blank=True)
    error_free_note = models.TextField(blank=True)
    quantified_answer = models.CharField(max_length=8, choices=Answer, blank=True)
    quantified_note = models.TextField(blank=True)
    clear_answers_answer = models.CharField(max_length=8, choices=Answer, blank=True)
    clear_answers_note = models.TextField(blank=True)
    asked_questions_answer = models.CharField(max_length=8, choices=Answer, blank=True)
    asked_questions_note = models.TextField(blank=True)
    body_language_answer = models.CharField(max_length=8, choices=Answer, blank=True)
    body_language_note = models.TextField(blank=True)
    takeaway = models.TextField("what I will do differently", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"Reflection on {self.application}"

    def weak_themes(self) -> list[str]:
        """Themes of the questions answered "no" or "partly", worst first, each once."""
        ranked: dict[str, int] = {}
        for question in growth.REFLECTION_QUESTIONS:
            answer = getattr(self, f"{question.prefix}_answer")
            weight = {self.Answer.NO: 2, self.Answer.PARTLY: 1}.get(answer, 0)
            if weight:
                ranked[question.theme] = max(weight, ranked.get(question.theme, 0))
        return sorted(ranked, key=lambda theme: -ranked[theme])


# What the growth page shows ----------------------------------------------------------

# A rejection this recent still deserves a reflection; older ones drop off the list.
REFLECTION_WINDOW = timedelta(days=60)


def feedback_to_tag(owner: User) -> models.QuerySet[Interaction]:
    """The owner's feedback that has no theme yet, newest first."""
    return (
        Interaction.objects.filter(
            owner=owner,
            kind=Interaction.Kind.FEEDBACK,
            direction=Interaction.Direction.INBOUND,
            feedback_themes__isnull=True,
        )
        .select_related("contact", "application__company")
        .order_by("-occurred_at")
    )


def theme_counts(owner: User) -> list[tuple[str, str, int]]:
    """(theme, label, how many applications it came up for), most frequent first.

    Feedback without an application counts on its own, so a theme heard from two
    recruiters about no particular job still shows as recurring.
    """
    seen: dict[str, set[str]] = {}
    rows = FeedbackTheme.objects.filter(owner=owner).values_list(
        "theme", "interaction__application_id", "interaction_id"
    )
    for theme, application_id, interaction_id in rows:
        key = f"a{application_id}" if application_id else f"i{interaction_id}"
        seen.setdefault(theme, set()).add(key)
    counts = [(theme, growth.THEME_LABELS[theme], len(keys)) for theme, keys in seen.items()]
    return sorted(counts, key=lambda row: (-row[2], row[1]))


def reflections_to_write(owner: User, *, now: datetime) -> models.QuerySet[JobApplication]:
    """Recently rejected applications without a reflection, most recent first.

    The rejection time is the latest rejection logged on the application, or, when the
    status was set by hand, the last time the application changed. The latest rejection
    is a correlated subquery that reads one entry of the (application, kind,
    occurred_at) index per rejected application, newest first. As MAX(…) FILTER over a
    join, PostgreSQL read every interaction of every rejected application (74,000 rows
    at 10x, 115 ms) to keep the rejections. It still visits each rejected application
    without a reflection once, so it grows with them (bench/README.md).
    """
    latest_rejection = (
        Interaction.objects.filter(application=OuterRef("pk"), kind=Interaction.Kind.REJECTION)
        .order_by("-occurred_at")
        .values("occurred_at")[:1]
    )
    return (
        JobApplication.objects.filter(
            owner=owner, status=JobApplication.Status.REJECTED, reflection__isnull=True
        )
        .annotate(rejected_at=Coalesce(Subquery(latest_rejection), "updated_at"))
        .filter(rejected_at__gte=now - REFLECTION_WINDOW)
        .select_related("company")
        .order_by("-rejected_at")
    )
