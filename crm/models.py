"""The base app's data: a user's profile and settings, companies and job applications."""

from __future__ import annotations

import secrets
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def default_workdays() -> list[int]:
    """Monday to Friday, as Python's date.weekday() numbers them (Monday = 0)."""
    return [0, 1, 2, 3, 4]


def validate_time_zone(value: str) -> None:
    if value not in available_timezones():
        raise ValidationError(
            "%(value)s is not a time zone name; use an IANA name such as Europe/Berlin.",
            params={"value": value},
        )


def validate_workdays(value: object) -> None:
    if (
        not isinstance(value, list)
        or not value
        or any(not isinstance(day, int) or not 0 <= day <= 6 for day in value)
    ):
        raise ValidationError("Choose at least one working day (0 = Monday … 6 = Sunday).")


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class TracksLoadedValues(models.Model):
    """Remembers the field values a row was loaded with, so save() can tell what changed.

    The rules engine uses it to see an edited `occurred_at`, a changed status or a newly
    set `do_not_contact` without a second query.
    """

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_values = dict(zip(field_names, values, strict=True))
        return instance

    def loaded_value(self, attname: str, default=None):
        return getattr(self, "_loaded_values", {}).get(attname, default)

    def has_changed(self, attname: str) -> bool:
        loaded = getattr(self, "_loaded_values", None)
        if loaded is None or attname not in loaded:
            return True
        return loaded[attname] != getattr(self, attname)

    def remember_values(self) -> None:
        self._loaded_values = {
            f.attname: getattr(self, f.attname) for f in self._meta.concrete_fields
        }


class Profile(models.Model):
    """One per user, created on first use: time zone, reminder hours and rule settings."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    morning_hour = models.PositiveSmallIntegerField(
        default=9, validators=[MaxValueValidator(23)], help_text="Local hour reminders are due."
    )
    workdays = models.JSONField(
        default=default_workdays,
        validators=[validate_workdays],
        help_text="Weekday numbers, Monday = 0.",
    )
    email_reminders = models.BooleanField(default=True)
    digest_hour = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        default=8,
        validators=[MaxValueValidator(23)],
        help_text="Local hour of the daily digest; empty for no digest.",
    )
    check_in_months = models.PositiveSmallIntegerField(
        default=3, help_text="Default check-in cadence for contacts you replied to."
    )
    signature = models.TextField(blank=True)

    # Rule settings: every offset of the rules table is a default the user can change,
    # and every rule can be switched off. They apply to follow-ups created afterwards.
    reply_enabled = models.BooleanField("R1 reply to rejections", default=True)
    reply_due_hours = models.PositiveSmallIntegerField(
        default=24, validators=[MinValueValidator(1)]
    )
    reply_deadline_hours = models.PositiveSmallIntegerField(
        default=48, validators=[MinValueValidator(1)]
    )
    feedback_nudge_enabled = models.BooleanField("R3 nudge for feedback", default=True)
    nudge_after_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1)]
    )
    nudge_deadline_days = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(1)]
    )
    thank_you_enabled = models.BooleanField("R4/R7 thank-you notes", default=True)
    thank_you_due_hours = models.PositiveSmallIntegerField(
        default=24, validators=[MinValueValidator(1)]
    )
    thank_you_deadline_hours = models.PositiveSmallIntegerField(
        default=48, validators=[MinValueValidator(1)]
    )
    connect_enabled = models.BooleanField("R5 connect on LinkedIn", default=True)
    connect_after_days = models.PositiveSmallIntegerField(default=1)
    check_in_enabled = models.BooleanField("R6 periodic check-ins", default=True)
    application_check_enabled = models.BooleanField("R8 chase silent applications", default=True)
    application_check_days = models.PositiveSmallIntegerField(
        default=14, validators=[MinValueValidator(1)]
    )

    # Secret of the user's calendar feed URL; regenerating it kills the old URL.
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(morning_hour__lte=23), name="profile_morning_hour_0_23"
            ),
            models.CheckConstraint(
                condition=models.Q(digest_hour__isnull=True) | models.Q(digest_hour__lte=23),
                name="profile_digest_hour_0_23",
            ),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"

    @classmethod
    def for_user(cls, user) -> Profile:
        """The user's profile, created with the defaults on first use."""
        cached = getattr(user, "_profile_cache", None)
        if cached is not None:
            return cached
        profile, _ = cls.objects.get_or_create(user=user)
        user._profile_cache = profile
        return profile

    @property
    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.time_zone)
        except (KeyError, ValueError):
            return ZoneInfo("UTC")

    def regenerate_calendar_token(self) -> None:
        self.calendar_token = new_calendar_token()
        self.save(update_fields=["calendar_token"])


class Company(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="companies"
    )
    name = models.CharField(max_length=200)
    website = models.URLField(blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The calendar feed names companies: its Last-Modified must see a rename.
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"
        constraints = [
            # Imports match companies by name ignoring case, so the database keeps one.
            models.UniqueConstraint(
                Lower("name"), "owner", name="company_name_unique_per_owner_ci"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class JobApplication(TracksLoadedValues):
    class Status(models.TextChoices):
        WISHLIST = "wishlist", "Wishlist"
        APPLIED = "applied", "Applied"
        INTERVIEWING = "interviewing", "Interviewing"
        OFFER = "offer", "Offer"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"
        ACCEPTED = "accepted", "Accepted"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications"
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="applications")
    title = models.CharField("job title", max_length=200)
    status = models.CharField(max_length=20, choices=Status, default=Status.APPLIED)
    applied_on = models.DateField(null=True, blank=True)
    posting_url = models.URLField(blank=True, max_length=500)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-applied_on", "-created_at"]
        indexes = [
            # The board and the list filter by owner and status.
            models.Index(fields=["owner", "status"], name="application_owner_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        "wishlist",
                        "applied",
                        "interviewing",
                        "offer",
                        "rejected",
                        "withdrawn",
                        "accepted",
                    ]
                ),
                name="application_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} at {self.company.name}"

    def save(self, *args, **kwargs) -> None:
        # Every status change is kept: the job-search record (followups/export/jobsearch.py)
        # lists them for the unemployment office. Read before saving: the rules' post_save
        # handler remembers the new values.
        adding = self._state.adding
        old_status = "" if adding else self.loaded_value("status", "")
        changed = adding or self.has_changed("status")
        super().save(*args, **kwargs)
        if changed and old_status != self.status:
            ApplicationStatusChange.objects.create(
                application=self, old_status=old_status or "", new_status=self.status
            )


class ApplicationStatusChange(models.Model):
    """One status an application went into, and when: append-only history."""

    application = models.ForeignKey(
        JobApplication, on_delete=models.CASCADE, related_name="status_changes"
    )
    old_status = models.CharField(max_length=20, choices=JobApplication.Status, blank=True)
    new_status = models.CharField(max_length=20, choices=JobApplication.Status)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.old_status or '∅'} → {self.new_status}"
