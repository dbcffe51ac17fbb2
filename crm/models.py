"""The base app's data: a user's profile and settings, companies and job applications."""

from __future__ import annotations

import secrets
import uuid
from datetime import date, timedelta
from pathlib import PurePath
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from crm.documents.validation import validate_document

if TYPE_CHECKING:
    from django.contrib.auth.models import User
from crm.security.dates import validate_sane_date
from crm.security.weburls import validate_web_url

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


class Profile(TracksLoadedValues):
    """One per user, created on first use: time zone, reminder hours and rule settings.

    Tracks its loaded values so a save that changes the zone, the morning hour or the
    workdays can re-time what is pending (followups/signals.py).
    """

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

    # Rule settings (docs/rules.md): every offset of the rules table is a default the user
    # can change, and every rule can be switched off. They apply to follow-ups created
    # afterwards.
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
    # When a row the calendar feed may show was last deleted: the feed's Last-Modified
    # and ETag read it, since a deleted row leaves no updated_at behind (set by
    # followups/signals.py, read by followups/calendar/feed.py's feed_version).
    feed_deleted_at = models.DateTimeField(null=True, blank=True, editable=False)

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

    def save(self, *args, **kwargs) -> None:
        self._refuse_reassignment()
        super().save(*args, **kwargs)

    # A profile carries its account's calendar token and settings: handing it to another
    # account would serve that account's follow-ups on the old token (issue 13, item 1).
    # It is created with its user and never reassigned, whichever path saves it.
    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_user_id = instance.__dict__.get("user_id")
        return instance

    def clean(self) -> None:
        super().clean()
        self._refuse_reassignment()

    def _refuse_reassignment(self) -> None:
        loaded = getattr(self, "_loaded_user_id", None)
        if loaded is not None and loaded != self.user_id:
            raise ValidationError({"user": "A profile stays with its account."})

    @classmethod
    def for_user(cls, user: User) -> Profile:
        """The user's profile, created with the defaults on first use.

        Kept where Django keeps `user.profile` once read, so later calls for the same
        user object (one request, one tick) make no query.
        """
        try:
            return user.profile
        except cls.DoesNotExist:
            profile, _ = cls.objects.get_or_create(user=user)
            user.profile = profile
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
    website = models.URLField(blank=True, validators=[validate_web_url])
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

    @classmethod
    def names_of(cls, owner: User) -> list[str]:
        """The owner's company names, for the company field's suggestions."""
        return list(cls.objects.filter(owner=owner).values_list("name", flat=True))


# An application applied for longer ago than this is history: asking about it now would
# only be odd, so R8 schedules no application check for it (imports say so in the preview).
HISTORIC_APPLICATION_DAYS = 30


def is_historic_application(applied_on: date | None, today: date) -> bool:
    """Whether an application applied on `applied_on` is history as of `today`."""
    return applied_on is not None and applied_on < today - timedelta(days=HISTORIC_APPLICATION_DAYS)


class JobApplication(TracksLoadedValues):
    class Status(models.TextChoices):
        WISHLIST = "wishlist", "Wishlist"
        APPLIED = "applied", "Applied"
        INTERVIEWING = "interviewing", "Interviewing"
        OFFER = "offer", "Offer"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"
        ACCEPTED = "accepted", "Accepted"

    class Remote(models.TextChoices):
        ONSITE = "onsite", "On site"
        HYBRID = "hybrid", "Hybrid"
        REMOTE = "remote", "Remote"

    class EmploymentType(models.TextChoices):
        # schema.org JobPosting.employmentType values, as postings spell them.
        FULL_TIME = "FULL_TIME", "Full time"
        PART_TIME = "PART_TIME", "Part time"
        CONTRACTOR = "CONTRACTOR", "Contractor"
        TEMPORARY = "TEMPORARY", "Temporary"
        INTERN = "INTERN", "Internship"
        VOLUNTEER = "VOLUNTEER", "Volunteer"
        PER_DIEM = "PER_DIEM", "Per diem"
        OTHER = "OTHER", "Other"

    class SalaryPeriod(models.TextChoices):
        HOUR = "hour", "per hour"
        DAY = "day", "per day"
        WEEK = "week", "per week"
        MONTH = "month", "per month"
        YEAR = "year", "per year"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications"
    )
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="applications")
    title = models.CharField("job title", max_length=200)
    status = models.CharField(max_length=20, choices=Status, default=Status.APPLIED)
    applied_on = models.DateField(null=True, blank=True, validators=[validate_sane_date])
    posting_url = models.URLField(blank=True, max_length=500, validators=[validate_web_url])
    notes = models.TextField(blank=True)
    # What the posting says (captured from its page or typed in): docs/capture.md.
    location = models.CharField(max_length=200, blank=True)
    remote = models.CharField("on site or remote", max_length=10, choices=Remote, blank=True)
    employment_type = models.CharField(max_length=12, choices=EmploymentType, blank=True)
    salary_min = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    salary_max = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    salary_currency = models.CharField(max_length=3, blank=True, help_text="ISO code, e.g. EUR.")
    salary_period = models.CharField(max_length=5, choices=SalaryPeriod, blank=True)
    closing_date = models.DateField(
        null=True, blank=True, help_text="Last day to apply; a wishlist entry gets a reminder."
    )
    source = models.CharField(
        max_length=100, blank=True, help_text="Where you found it: a board, a referral…"
    )
    description = models.TextField("posting description", blank=True)
    documents = models.ManyToManyField(
        "crm.Document",
        blank=True,
        related_name="applications",
        help_text="The résumé and cover-letter versions you sent.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Set on the rows of the list pages by crm.applications.queries.mark_no_response().
    no_response: bool
    # Set before a save by followups.api.signals: the status the webhook compares with.
    _webhook_old_status: str | None

    class Meta:
        ordering = ["-applied_on", "-created_at"]
        indexes = [
            # The board and the list filter by owner and status.
            models.Index(fields=["owner", "status"], name="application_owner_status"),
            # The applications list, newest first (the model's ordering), a page at a time.
            models.Index(
                fields=["owner", "applied_on", "created_at"], name="application_owner_recent"
            ),
            # The board's columns: each status's newest cards, read backwards off this
            # index (crm/applications/queries.py: BOARD_ORDER).
            models.Index(
                fields=["owner", "status", "applied_on", "created_at", "id"],
                name="application_board",
            ),
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
            # A second capture of the same posting finds the first (crm/capture/).
            models.UniqueConstraint(
                fields=["owner", "posting_url"],
                condition=~models.Q(posting_url=""),
                name="application_posting_url_unique_per_owner",
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

    # What the posting says, as the board, the list and the application page show it;
    # formatted here once rather than by template filters on every card.

    @property
    def where_text(self) -> str:
        """ "Berlin, DE · Hybrid", "Remote", or ""."""
        return self.format_where(self.location, self.remote)

    @property
    def salary_text(self) -> str:
        """ "70,000–90,000 EUR", "up to 48 EUR", "550 EUR", or "" (no period: see
        salary_period_text)."""
        return self.format_salary(self.salary_min, self.salary_max, self.salary_currency)

    # The same texts from plain values: the board reads its cards as rows, not instances.

    @classmethod
    def format_where(cls, location: str, remote: str) -> str:
        # As get_remote_display(): an unknown stored value shows as itself.
        parts = [location, str(dict(cls.Remote.choices).get(remote, remote)) if remote else ""]
        return " · ".join(p for p in parts if p)

    @staticmethod
    def _amount(value) -> str:
        text = f"{value:,.2f}"
        return text.removesuffix(".00")

    @classmethod
    def format_salary(cls, low, high, currency: str) -> str:
        if low is None and high is None:
            return ""
        if low is None:
            amount = f"up to {cls._amount(high)}"
        elif high is None or high == low:
            amount = cls._amount(low)
        else:
            amount = f"{cls._amount(low)}–{cls._amount(high)}"
        return f"{amount} {currency}".strip()

    @property
    def salary_period_text(self) -> str:
        return self.get_salary_period_display() if self.salary_period else ""


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


def document_upload_to(document: Document, filename: str) -> str:
    """A random name under the owner's folder: the user's file name is kept only as data,
    never as a path, so it cannot traverse or collide."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"documents/{document.owner_id}/{uuid.uuid4().hex}{suffix}"


class Document(models.Model):
    """A version of a résumé or cover letter, stored with Django's storage API (under the
    data folder by default) and served only to its owner (crm/documents/)."""

    class Kind(models.TextChoices):
        RESUME = "resume", "Résumé"
        COVER_LETTER = "cover_letter", "Cover letter"
        OTHER = "other", "Other"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(max_length=12, choices=Kind, default=Kind.RESUME)
    name = models.CharField(max_length=200, help_text="Which version this is, e.g. “Backend v3”.")
    file = models.FileField(
        upload_to=document_upload_to, max_length=300, validators=[validate_document]
    )
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


def new_capture_token() -> str:
    return secrets.token_urlsafe(32)


class CaptureToken(models.Model):
    """The long-lived key a user's bookmarklet carries (crm/capture/bookmarklet.py).

    The bookmarklet posts from the posting's site, where the browser sends no session
    cookie (SameSite) and no CSRF token can exist. This key only lets that post open a
    page of ours holding a one-time ticket; the write after it needs the session and
    Django's CSRF token. Making a new key kills every bookmarklet holding the old one.
    """

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="capture_token"
    )
    token = models.CharField(max_length=64, unique=True, default=new_capture_token)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Bookmarklet token of {self.owner}"


class CaptureDraft(models.Model):
    """What the bookmarklet sent, kept until the user confirms the pre-filled form.

    Made by redeeming a one-time capture ticket (crm/capture/bookmarklet.py): `ticket`
    is that ticket's nonce, unique, so a ticket sent twice is refused. Opening the draft
    in the form sets `opened_at` (single use) and empties `data`; rows are swept a day
    after they were made, long after their ticket expired.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="capture_drafts"
    )
    key = models.CharField(max_length=64, unique=True, default=new_capture_token)
    ticket = models.CharField(max_length=64, unique=True, null=True, blank=True)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Captured posting {self.pk} of {self.owner}"
