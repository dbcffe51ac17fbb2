"""Restoring a backup in the worker, in short transactions (issue 13, item 10).

A restore of a big backup in one request held SQLite's write lock for 46 s: other
requests failed with "database is locked" and the scheduler crashed. Now the upload is
stored under RESTORE_DIR and a django-q2 task (`followups.tasks.run_restore`) restores it:

1. claims the job once (a conditional UPDATE: a task handed out twice runs once);
2. checks the whole file and builds every row in memory (backup.plan_restore), writing
   nothing: a bad row fails the job with every problem listed on its page;
3. writes RESTORE_BATCH_ROWS rows per transaction (backup.write_plan), recording with
   each batch which rows it wrote and how many are done, so other requests and the
   scheduler get the database between batches and the page shows progress.

All or nothing without one long transaction: the checks of step 2 leave only database
constraints to fail a batch (a posting URL twice in one file, say); then the batches
already committed are deleted again, by the primary keys they recorded and scoped to
the owner (`take_back`). A worker killed in the middle leaves a job whose heartbeat
(`updated_at`) stops; after RESTORE_STALE_SECONDS the next look at it takes its rows back
(`recover_stale`). The account is restored into only when it is empty, so while a
restore runs the user sees its rows appear; they are all there once the page says done.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils import timezone

from followups.export import backup, limits
from followups.models import RestoreJob

if TYPE_CHECKING:
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)
TASK = "followups.tasks.run_restore"
ALREADY_RUNNING = "A restore is already running in this account; wait until it has finished."


def restore_dir() -> Path:
    return Path(getattr(settings, "RESTORE_DIR", Path(settings.DATA_DIR) / "restores"))


def batch_rows() -> int:
    return getattr(settings, "RESTORE_BATCH_ROWS", 500)


def batch_pause() -> float:
    """Seconds between batches; on SQLite other writers need them to get the lock."""
    default = 0.15 if connection.vendor == "sqlite" else 0
    return getattr(settings, "RESTORE_BATCH_PAUSE_SECONDS", default)


def stale_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "RESTORE_STALE_SECONDS", 15 * 60))


def task_timeout() -> int:
    return getattr(settings, "RESTORE_TIMEOUT_SECONDS", 60 * 60)


# Starting a restore (the request) -----------------------------------------------------


def start_restore(user: User, upload: UploadedFile) -> RestoreJob:
    """Stores the upload and queues its restore; BackupError when it cannot start."""
    recover_stale(user)
    limits.check_upload_size(upload.size or 0)
    if RestoreJob.objects.filter(owner=user).exclude(state__in=RestoreJob.FINISHED).exists():
        raise backup.BackupError(ALREADY_RUNNING)
    if backup.owns_anything(user):
        raise backup.BackupError(backup.EMPTY_ONLY)
    folder = restore_dir()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.backup"
    with open(folder / name, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    try:
        with transaction.atomic():
            job = RestoreJob.objects.create(owner=user, file_name=name)
    except IntegrityError:  # a second tab started one since the check above
        (folder / name).unlink(missing_ok=True)
        raise backup.BackupError(ALREADY_RUNNING) from None
    from django_q.tasks import async_task

    async_task(TASK, job.pk, group="restore", timeout=task_timeout())
    return job


# Running it (the worker) --------------------------------------------------------------


def run_restore(job_id: int) -> str:
    """The worker's task: restores one queued job; returns the state it ended in."""
    claimed = RestoreJob.objects.filter(pk=job_id, state=RestoreJob.State.QUEUED).update(
        state=RestoreJob.State.CHECKING, updated_at=timezone.now()
    )
    job = RestoreJob.objects.select_related("owner").get(pk=job_id)
    if not claimed:
        return job.state  # handed out twice: the first run has it
    try:
        return _run(job)
    except Exception:
        # A bug must not leave the job "running" with half its rows: take them back.
        log.exception("restore %s failed", job.pk)
        job.refresh_from_db(fields=["written", "rows_done"])
        take_back(job)
        _finish(
            job,
            RestoreJob.State.FAILED,
            errors=["The restore stopped on an unexpected error; nothing was restored."],
        )
        raise


def _run(job: RestoreJob) -> str:
    try:
        plan = _checked_plan(job)
    except backup.BackupError as error:
        _finish(job, RestoreJob.State.FAILED, errors=error.errors)
        return job.state
    job.state = RestoreJob.State.WRITING
    job.rows_total = plan.rows_total
    job.warnings = [_storable(text) for text in plan.warnings]
    job.save(update_fields=["state", "rows_total", "warnings", "updated_at"])

    def record(model: type[models.Model], objs: list[models.Model]) -> None:
        if objs:
            pks = [obj.pk for obj in objs]
            job.written.append([model._meta.label_lower, min(pks), max(pks)])
            job.rows_done += len(objs)
        job.save(update_fields=["written", "rows_done", "updated_at"])

    try:
        counts = backup.write_plan(
            plan, batch_rows=batch_rows(), on_batch=record, pause=batch_pause()
        )
    except DatabaseError as error:
        log.warning("restore %s failed while writing: %s", job.pk, error)
        job.refresh_from_db(fields=["written", "rows_done"])
        take_back(job)
        _finish(
            job,
            RestoreJob.State.FAILED,
            errors=[f"The backup does not fit together ({error}); nothing was restored."],
        )
        return job.state
    _finish(job, RestoreJob.State.DONE, counts=list(counts.items()))
    return job.state


def _checked_plan(job: RestoreJob) -> backup.RestorePlan:
    try:
        raw = (restore_dir() / job.file_name).read_bytes()
    except OSError:
        raise backup.BackupError("The uploaded file is gone; upload it again.") from None
    document = backup.parse_backup(raw)
    del raw
    return backup.plan_restore(job.owner, document)


def _finish(job: RestoreJob, state: str, *, errors=None, counts=None) -> None:
    job.state = state
    job.errors = [_storable(text) for text in errors or []]
    job.counts = counts or []
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "errors", "counts", "finished_at", "updated_at"])
    (restore_dir() / job.file_name).unlink(missing_ok=True)


def _storable(text: str) -> str:
    """A message as PostgreSQL's jsonb stores it: it refuses NUL, which a hostile file's
    value (quoted in the message) may hold."""
    return text.replace("\x00", "\ufffd")


# Taking a failed restore back -----------------------------------------------------------


def take_back(job: RestoreJob) -> None:
    """Deletes every row the job wrote, newest section first (dependents before what they
    point to), and the job's record of them with the last batch."""
    owner_lookups = {model: backup._owner_lookup(model) for _, model in backup.SECTIONS}
    for label, first, last in reversed(job.written):
        model = apps.get_model(label)
        with transaction.atomic():
            model._default_manager.filter(
                pk__gte=first, pk__lte=last, **{owner_lookups[model]: job.owner}
            ).delete()
    job.written = []
    job.rows_done = 0
    job.save(update_fields=["written", "rows_done", "updated_at"])


def recover_stale(user: User, *, now=None) -> None:
    """Fails the user's restores whose worker stopped beating, taking back their rows,
    and those no worker picked up in time (it would find them failed and leave them)."""
    now = now or timezone.now()
    stale = RestoreJob.objects.filter(
        owner=user,
        state__in=[RestoreJob.State.CHECKING, RestoreJob.State.WRITING],
        updated_at__lt=now - stale_after(),
    )
    for job in stale:
        take_back(job)
        _finish(
            job,
            RestoreJob.State.FAILED,
            errors=[
                "The restore was interrupted (the worker stopped) and what it had written "
                "was removed again; nothing was restored. Upload the file again."
            ],
        )
    unclaimed = RestoreJob.objects.filter(
        owner=user, state=RestoreJob.State.QUEUED, updated_at__lt=now - stale_after()
    )
    for job in unclaimed:
        if RestoreJob.objects.filter(pk=job.pk, state=RestoreJob.State.QUEUED).update(
            state=RestoreJob.State.FAILED, updated_at=now
        ):
            _finish(
                job,
                RestoreJob.State.FAILED,
                errors=[
                    "No worker picked the restore up; nothing was restored. Start the "
                    "worker (python manage.py qcluster) and upload the file again."
                ],
            )
