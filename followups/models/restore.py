"""A restore of a JSON backup run by the worker (followups/export/restore_jobs.py).

One row per uploaded backup: its state, how far the writing has got, the per-row errors
and warnings the page shows, and which rows it wrote so a failed or interrupted restore
can take exactly those back out (all or nothing without one long transaction).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class RestoreJob(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for the worker"
        CHECKING = "checking", "Checking the file"
        WRITING = "writing", "Restoring"
        DONE = "done", "Restored"
        FAILED = "failed", "Not restored"

    FINISHED = (State.DONE, State.FAILED)

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="restore_jobs"
    )
    state = models.CharField(max_length=10, choices=State, default=State.QUEUED)
    # The uploaded file under RESTORE_DIR, deleted once the job is finished.
    file_name = models.CharField(max_length=100)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    # [[section, rows], ...] in the backup's order (a JSON object's keys would not keep it).
    counts = models.JSONField(default=list, blank=True)
    # [[app_label.model, first_pk, last_pk], ...] per written batch, scoped to the owner
    # when taken out again (restore_jobs.take_back).
    written = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The worker's heartbeat: touched by every batch; a WRITING job that stops beating
    # was interrupted (a killed worker) and is taken back by restore_jobs.recover_stale.
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["queued", "checking", "writing", "done", "failed"]),
                name="restore_job_state_valid",
            ),
            # One restore at a time per account: two at once would both find it empty.
            models.UniqueConstraint(
                fields=["owner"],
                condition=models.Q(state__in=["queued", "checking", "writing"]),
                name="one_unfinished_restore_per_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"Restore {self.pk} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in self.FINISHED

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.state == self.State.DONE else 0
        return min(100, self.rows_done * 100 // self.rows_total)

    @property
    def summary(self) -> str:
        """What a finished restore wrote: "2 companies, 5 contacts" (or "your settings")."""
        parts = [f"{n} {key.replace('_', ' ')}" for key, n in self.counts if n]
        return ", ".join(parts) or "your settings"
