"""The scheduler's own records: ticks (worker health) and daily-digest deliveries."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from crm.security.dates import validate_sane_date


class SchedulerTick(models.Model):
    """One row per scheduler tick, so pages and /healthz can tell the worker is alive."""

    started_at = models.DateTimeField(db_index=True, validators=[validate_sane_date])
    finished_at = models.DateTimeField(null=True, blank=True, validators=[validate_sane_date])
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
    local_date = models.DateField(
        help_text="The day in the owner's time zone.", validators=[validate_sane_date]
    )
    claimed_until = models.DateTimeField(null=True, blank=True, validators=[validate_sane_date])
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, validators=[validate_sane_date])
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, validators=[validate_sane_date])
    nothing_to_say = models.BooleanField(default=False, help_text="Nothing was due: no email.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-local_date"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "local_date"], name="digest_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"Digest of {self.owner} for {self.local_date}"
