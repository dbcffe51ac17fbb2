"""Big imports run by the worker in short transactions (issue 13, item 10).

A confirmed import of more than IMPORT_IN_REQUEST_MAX_ROWS rows used to be written in the
request in one transaction; on SQLite that held the write lock for as long as the whole
file took, and other requests and the scheduler failed with "database is locked". Now
the confirm keeps the staged file, records an ImportJob and queues a django-q2 task
(`contacts.tasks.run_import`), which:

1. claims the job once (a conditional UPDATE: a task handed out twice runs once);
2. plans the whole file again, as the confirm in the request does (validation and the
   preview's bad-row report came before the confirm; nothing is written yet);
3. commits at most IMPORT_BATCH_ROWS rows of the plan per transaction (fewer when rows
   are slow to save: a batch is sized to take about IMPORT_BATCH_SECONDS), through the
   same commit functions as the request (so the same rules fire), each batch recording
   with its own rows how far the job has got (`position`) and what it created or changed.

All or nothing as the user sees it: a batch that fails (a constraint, a full disk, a bug)
rolls back by itself, and the batches before it are taken back (`take_back`: the rows
they created are deleted, the rows they changed get their old values). A worker killed
in the middle leaves a job whose heartbeat (`updated_at`) stops: a task that runs it
again after IMPORT_STALE_SECONDS resumes after the last committed batch, and a look at
its page after that time with no task running takes it back. Small imports stay in the
request (one batch's worth of rows holds the lock no longer than a worker's batch does).
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import logging
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from contacts.importers.applications import (
    ApplicationsPlan,
    commit_applications,
    plan_applications,
)
from contacts.importers.archive import (
    ArchivePlan,
    ArchiveResult,
    commit_planned_applications,
    contacts_by_profile,
    plan_linkedin_upload,
    planned_interactions,
    save_rejections,
    write_interactions,
)
from contacts.importers.csvfile import BATCH_SIZE, ImportFileError
from contacts.importers.linkedin import LinkedInPlan, commit_linkedin, plan_linkedin
from contacts.importers.plan import ImportPlan, ImportResult, Journal
from contacts.importers.staging import discard_staged, load_staged, staged_path
from contacts.importers.values import company_key
from contacts.models import ImportJob, ImportRuleChanges, Interaction
from contacts.signals import interactions_imported
from crm import undo
from crm.concurrency import atomic_for_owner
from crm.models import Company, JobApplication
from crm.storage import storage_fault

if TYPE_CHECKING:
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)
TASK = "contacts.tasks.run_import"
FIRST_BATCH_ROWS = 25
MIN_BATCH_ROWS = 10
ALREADY_RUNNING = "An import is already running in this account; wait until it has finished."
# What the follow-up rules write as an import's rows are saved, recorded batch by batch
# (crm/undo.py) so a take-back undoes it: the follow-ups and history rows they create,
# and the old values of the follow-ups (completed, cancelled, moved), contacts (R5's
# cadence) and applications (R1's rejected) they change.
RULES_CREATE = ("followups.followup", "followups.followupevent")
RULES_CHANGE = ("followups.followup", "contacts.contact", "crm.jobapplication")
# Interactions handed to the rules at a time within a batch of the archive's rules part;
# the batch ends before the next call would take it past IMPORT_BATCH_SECONDS. About 9 ms
# an interaction whose contact has a pending follow-up or a cadence (bench/README.md),
# several times that on a loaded machine: 5 keeps one call well under the batch's time,
# and the call's own two queries (which contacts the rules can act on) cost little.
RULES_CHUNK = 5


def in_request_max_rows() -> int:
    return getattr(settings, "IMPORT_IN_REQUEST_MAX_ROWS", 500)


def batch_rows() -> int:
    return getattr(settings, "IMPORT_BATCH_ROWS", 500)


def batch_seconds() -> float:
    """How long one batch may hold the write lock, roughly: rows saved one by one (an
    application goes through save() and the rules) take milliseconds each, so a batch of
    IMPORT_BATCH_ROWS can take seconds on a loaded machine; the next batch is sized from
    the speed of the last one to take about this long."""
    return getattr(settings, "IMPORT_BATCH_SECONDS", 0.5)


def batch_pause() -> float:
    """Seconds between batches; on SQLite other writers need them to get the lock."""
    default = 0.15 if connection.vendor == "sqlite" else 0
    return getattr(settings, "IMPORT_BATCH_PAUSE_SECONDS", default)


def stale_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "IMPORT_STALE_SECONDS", 15 * 60))


def task_timeout() -> int:
    return getattr(settings, "IMPORT_TIMEOUT_SECONDS", 60 * 60)


def runs_in_worker(plan: ImportPlan) -> bool:
    """Whether a confirmed plan goes to the worker: a CSV of connections or applications,
    or LinkedIn's archive (its messages counted), with more importable rows than the
    request writes itself."""
    batched = isinstance(plan, ApplicationsPlan | ArchivePlan) or type(plan) is LinkedInPlan
    return batched and plan.importable_count > in_request_max_rows()


# Starting an import (the request) -------------------------------------------------------


def check_none_running(user: User) -> None:
    """ImportFileError while one of the user's imports is in the worker: an import in the
    request meanwhile would plan against rows the job has yet to write, and duplicate them."""
    recover_stale(user)
    if ImportJob.objects.filter(owner=user).exclude(state__in=ImportJob.FINISHED).exists():
        raise ImportFileError(ALREADY_RUNNING)


def start_import(
    user: User, kind: str, entry: dict, *, rejections: Iterable[str] = ()
) -> ImportJob:
    """Records the job for a staged upload and queues it; ImportFileError when another
    import of the account is still running. The staged file is the job's from now on.
    `rejections`: the archive's messages the user confirmed as a no."""
    recover_stale(user)
    options = {key: entry.get(key) for key in ("mapping", "status_map", "date_order")}
    if kind == ImportJob.Kind.ARCHIVE:
        options["rejections"] = sorted(set(rejections))
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                owner=user,
                kind=kind,
                token=entry["token"],
                file_name=(entry.get("name") or "")[:255],
                options=options,
            )
    except IntegrityError:
        raise ImportFileError(ALREADY_RUNNING) from None
    from django_q.tasks import async_task

    async_task(TASK, job.pk, group="import", timeout=task_timeout())
    return job


# Running it (the worker) ----------------------------------------------------------------


def run_import(job_id: int) -> str:
    """The worker's task: imports one queued job (or resumes one whose worker died);
    returns the state it ended in."""
    now = timezone.now()
    job = ImportJob.objects.select_related("owner").get(pk=job_id)
    claimed = ImportJob.objects.filter(pk=job_id, state=ImportJob.State.QUEUED).update(
        state=ImportJob.State.WRITING, updated_at=now
    ) or ImportJob.objects.filter(
        # Run again after its worker died: resumed after the last committed batch.
        pk=job_id,
        state=ImportJob.State.WRITING,
        updated_at=job.updated_at,
        updated_at__lt=now - stale_after(),
    ).update(updated_at=now)
    job.refresh_from_db()
    if not claimed:
        return job.state  # handed out twice: the first run has it
    try:
        return _run(job)
    except Exception:
        # A bug must not leave the job "running" with half its rows: take them back.
        log.exception("import %s failed", job.pk)
        job.refresh_from_db()
        take_back(job)
        # A full or read-only disk outside the database (the staged file, a temporary
        # file) is said as such; anything else is a bug.
        fault = storage_fault(sys.exception())
        error = fault.message if fault else "The import stopped on an unexpected error."
        _finish(job, ImportJob.State.FAILED, errors=[error])
        raise


def _run(job: ImportJob) -> str:
    if job.kind == ImportJob.Kind.ARCHIVE:
        return _run_archive(job)
    try:
        plan = _plan(job)
        plan.check_committable()
    except ImportFileError as error:
        _finish(job, ImportJob.State.FAILED, errors=[str(error)])
        return job.state
    job.rows_total = len(plan.rows)
    job.save(update_fields=["rows_total", "updated_at"])
    limit, target, pause = batch_rows(), batch_seconds(), batch_pause()
    size = min(limit, FIRST_BATCH_ROWS)  # the first batch measures the speed
    while job.position < job.rows_total:
        begin, end = job.position, min(job.position + size, job.rows_total)
        started = time.monotonic()
        try:
            with atomic_for_owner(job.owner), _rules_recorded(job):
                journal = Journal()
                result = write_batch(_batch_of(plan, job.position, end), journal)
                job.created += journal.created
                job.changed += journal.changed
                job.counts = _added(job.counts, result)
                job.position = end
                # In the batch's transaction: a re-run resumes exactly after it.
                job.save(update_fields=["created", "changed", "counts", "position", "updated_at"])
        except (ImportFileError, DatabaseError) as error:
            log.warning("import %s failed in the batch from row %s: %s", job.pk, end, error)
            job.refresh_from_db()
            take_back(job)
            _finish(job, ImportJob.State.FAILED, errors=[_failure(error)])
            return job.state
        per_row = (time.monotonic() - started) / (end - begin)
        size = min(limit, max(MIN_BATCH_ROWS, int(target / per_row))) if per_row else limit
        if pause and job.position < job.rows_total:
            time.sleep(pause)
    _finish(job, ImportJob.State.DONE)
    return job.state


# LinkedIn's archive, part by part --------------------------------------------------------

# In this order, as commit_archive writes them: the messages find the contacts the
# connections created, and the rules run once everything is in.
ARCHIVE_PARTS = ("connections", "applications", "messages", "invitations", "rejections", "rules")
INTERACTION = "contacts.interaction"
# The parts whose rows go through save(), so the rules run (messages and invitations are
# written in bulk: no rule sees them until the rules part).
RULE_PARTS = ("applications", "rejections", "rules")


class _Pace:
    """The size of the next batch: the first small, to measure the speed; then as many
    rows as take about IMPORT_BATCH_SECONDS, at most IMPORT_BATCH_ROWS."""

    def __init__(self) -> None:
        self.limit, self.target = batch_rows(), batch_seconds()
        self.size = min(self.limit, FIRST_BATCH_ROWS)

    def took(self, rows: int, seconds: float) -> None:
        per_row = seconds / rows if rows else 0
        self.size = (
            min(self.limit, max(MIN_BATCH_ROWS, int(self.target / per_row)))
            if per_row
            else self.limit
        )


def _run_archive(job: ImportJob) -> str:
    """Writes an archive as commit_archive does, in batches: the connections, the jobs
    files' applications, then messages and invitations streamed from the staged zip (a
    resumed task skips the rows of the part it had done: `position`), then the confirmed
    rejections, and last the rules on each contact's latest messages, those two also in
    batches of about IMPORT_BATCH_SECONDS (what the rules change is recorded with each
    batch, so a take-back undoes it)."""
    try:
        plan = _plan(job)
        assert isinstance(plan, ArchivePlan)  # the confirm saw one
        plan.check_committable()
    except ImportFileError as error:
        _finish(job, ImportJob.State.FAILED, errors=[str(error)])
        return job.state
    if not job.part:  # not a resumed job: its plan still counts every row
        job.rows_total, job.part, job.position = plan.importable_count, ARCHIVE_PARTS[0], 0
        job.save(update_fields=["rows_total", "part", "position", "updated_at"])
    pace, pause = _Pace(), batch_pause()
    try:
        while job.part in ARCHIVE_PARTS:
            for _ in _archive_batches(job, plan, pace):
                if pause:
                    time.sleep(pause)
            following = ARCHIVE_PARTS.index(job.part) + 1
            job.part = ARCHIVE_PARTS[following] if following < len(ARCHIVE_PARTS) else "done"
            job.position = 0
            job.save(update_fields=["part", "position", "updated_at"])
    except (ImportFileError, DatabaseError) as error:
        log.warning("import %s failed in its %s: %s", job.pk, job.part, error)
        job.refresh_from_db()
        take_back(job)
        _finish(job, ImportJob.State.FAILED, errors=[_failure(error)])
        return job.state
    _finish(job, ImportJob.State.DONE)
    return job.state


def _archive_batches(job: ImportJob, plan: ArchivePlan, pace: _Pace) -> Iterator[None]:
    """Commits the batches of the job's part, one per step."""
    owner = job.owner
    rejections = set(job.options.get("rejections") or [])
    if job.part in ("connections", "applications"):
        total = (
            len(plan.connections.rows if plan.connections else [])
            if job.part == "connections"
            else len(plan.applications)
        )
        while job.position < total:
            end = min(job.position + pace.size, total)

            def write(journal: Journal, start: int = job.position, end: int = end) -> int:
                result = ArchiveResult()
                if job.part == "connections":
                    assert plan.connections is not None
                    batch = _batch_of(plan.connections, start, end)
                    done = commit_linkedin(batch, journal=journal)  # type: ignore[arg-type]
                    result.created, result.updated = done.created, done.updated
                    result.rejected = done.rejected
                    result.companies_created = done.companies_created
                    written = sum(1 for row in batch.rows if not row.is_rejected)
                else:
                    batch_apps = plan.applications[start:end]
                    commit_planned_applications(batch_apps, owner, result, journal=journal)
                    written = len(batch_apps)
                job.counts = _added(job.counts, result)
                return written

            _archive_batch(job, write, end - job.position, pace)
            yield
        return
    if job.part == "rules" and "latest" not in job.carry:
        # A job that reached the rules before they were batched (one transaction that
        # saved the rejections too, so nothing of it committed): from the rejections on.
        job.part, job.position = "rejections", 0
        job.save(update_fields=["part", "position", "updated_at"])
    if job.part == "rejections":
        if "latest" not in job.carry:
            # Before any rejection is saved: the rules part runs on the latest messages
            # the bulk parts wrote, as commit_archive does.
            job.carry = {**job.carry, "latest": _latest_messages(job)}
            job.save(update_fields=["carry", "updated_at"])
        kept = job.carry.get("rejections", [])
        while job.position < len(kept):
            _timed_batch(job, kept, _save_rejections)
            yield
        return
    if job.part == "rules":
        latest = job.carry.get("latest", [])
        while job.position < len(latest):
            _timed_batch(job, latest, _run_rules)
            yield
        return
    # Messages and invitations: streamed, never held whole.
    contacts = contacts_by_profile(owner)
    stream = itertools.islice(planned_interactions(plan, job.part), job.position, None)
    while batch := list(itertools.islice(stream, pace.size)):

        def write_messages(journal: Journal, batch: list = batch) -> int:
            result = ArchiveResult()
            rows, confirmed = write_interactions(batch, owner, contacts, rejections, result)
            journal.created.extend(_runs(INTERACTION, [row.pk for row in rows]))
            # Saved last, through save(), as the request saves them (save_rejections).
            job.carry = {
                **job.carry,
                "rejections": job.carry.get("rejections", []) + [_kept(i) for i in confirmed],
            }
            job.counts = _added(job.counts, result)
            return len(rows) + len(confirmed)

        _archive_batch(job, write_messages, len(batch), pace)
        yield


def _archive_batch(job: ImportJob, write: Callable[[Journal], int], rows: int, pace: _Pace) -> None:
    """One batch in its own transaction, recording with its rows how far the job got and
    what it wrote (a re-run resumes exactly after it; a failure takes it back)."""
    started = time.monotonic()
    with atomic_for_owner(job.owner), _rules_recorded(job, job.part in RULE_PARTS):
        journal = Journal()
        job.done += write(journal)
        job.created += journal.created
        job.changed += journal.changed
        job.position += rows
        job.save(
            update_fields=[
                "created", "changed", "counts", "position", "done", "carry", "updated_at",
            ]
        )  # fmt: skip
    pace.took(rows, time.monotonic() - started)


def _timed_batch(
    job: ImportJob, items: list, handle: Callable[[ImportJob, list, Journal], None]
) -> None:
    """One batch of the rejections or the rules part: `items` from `position` on, handed
    to `handle` RULES_CHUNK at a time while the next call (as slow as the slowest so
    far) still ends within IMPORT_BATCH_SECONDS, at most IMPORT_BATCH_ROWS, in one
    transaction that records how far it got, what the rules changed, and the rows it
    wrote."""
    started, limit, target = time.monotonic(), batch_rows(), batch_seconds()
    with atomic_for_owner(job.owner), _rules_recorded(job):
        journal = Journal()
        end, slowest = job.position, 0.0
        while end < len(items) and end - job.position < limit:
            chunk = items[end : end + min(RULES_CHUNK, limit - (end - job.position))]
            before = time.monotonic()
            handle(job, chunk, journal)
            end += len(chunk)
            now = time.monotonic()
            slowest = max(slowest, now - before)
            if now - started + slowest >= target:
                break  # the next call could take the batch past its time
        job.created += journal.created
        job.position = end
        job.save(update_fields=["created", "counts", "position", "updated_at"])


def _save_rejections(job: ImportJob, kept: list[dict], journal: Journal) -> None:
    """The confirmed rejections, saved one by one: the rejection rules run (counted in
    `done` with their batch of messages already)."""
    result = ArchiveResult()
    confirmed = [_unkept(job.owner, each) for each in kept]
    save_rejections(confirmed, result)
    journal.created.extend(_runs(INTERACTION, [interaction.pk for interaction in confirmed]))
    job.counts = _added(job.counts, result)


def _run_rules(job: ImportJob, pks: list[int], journal: Journal) -> None:
    """The rules on these latest messages, as commit_archive runs them."""
    chosen = list(Interaction.objects.filter(owner=job.owner, pk__in=pks).order_by("pk"))
    interactions_imported.send(sender=Interaction, interactions=chosen)


def _latest_messages(job: ImportJob) -> list[int]:
    """The pks of each contact's latest inbound and latest outbound message the bulk
    parts wrote: what the rules run on (the rest would change nothing they read)."""
    latest: dict[tuple[int, str], tuple] = {}  # (contact, direction) → (time, pk)
    for first, last in _job_interaction_runs(job):
        for low in range(first, last + 1, BATCH_SIZE):
            for pk, contact_id, direction, occurred_at in (
                Interaction.objects.filter(
                    owner=job.owner, pk__gte=low, pk__lte=min(last, low + BATCH_SIZE - 1)
                )
                .order_by("pk")
                .values_list("pk", "contact_id", "direction", "occurred_at")
            ):
                slot = (contact_id, direction)
                if slot not in latest or occurred_at > latest[slot][0]:
                    latest[slot] = (occurred_at, pk)
    return [pk for _, pk in latest.values()]


@contextlib.contextmanager
def _rules_recorded(job: ImportJob, recorded: bool = True) -> Iterator[None]:
    """Records what the rules change inside the block, and keeps the record with the
    batch (in its transaction: the block runs inside it)."""
    if not recorded:
        yield
        return
    with undo.recording(RULES_CHANGE, RULES_CREATE) as log:
        yield
    if log:
        ImportRuleChanges.objects.create(owner=job.owner, job=job, changes=log.as_json())


def _runs(label: str, pks: list[int]) -> list[list]:
    """[label, first pk, last pk] per run of consecutive pks: 50,000 messages written in
    bulk take a few entries in the job's record, not 50,000."""
    runs: list[list] = []
    for pk in sorted(pks):
        if runs and runs[-1][2] == pk - 1:
            runs[-1][2] = pk
        else:
            runs.append([label, pk, pk])
    return runs


def _job_interaction_runs(job: ImportJob) -> list[tuple[int, int]]:
    return [(entry[1], entry[2]) for entry in job.created if entry[0] == INTERACTION]


def _kept(interaction: Interaction) -> dict:
    """A confirmed rejection as JSON, until the rules part saves it."""
    return {
        "contact_id": interaction.contact_id,
        "direction": interaction.direction,
        "occurred_at": interaction.occurred_at.isoformat(),
        "subject": interaction.subject,
        "body": interaction.body,
        "external_id": interaction.external_id,
    }


def _unkept(owner: User, kept: dict) -> Interaction:
    from datetime import datetime

    return Interaction(
        owner=owner,
        channel=Interaction.Channel.LINKEDIN,
        kind=Interaction.Kind.REJECTION,
        **{**kept, "occurred_at": datetime.fromisoformat(kept["occurred_at"])},
    )


def _plan(job: ImportJob) -> ImportPlan:
    options = job.options
    if job.kind == ImportJob.Kind.ARCHIVE:
        # Streamed from the staged file, as the preview reads it.
        path = staged_path(job.owner, job.token)
        return plan_linkedin_upload(
            job.owner, path, job.file_name, date_order=options.get("date_order")
        )
    raw = load_staged(job.owner, job.token)
    if job.kind == ImportJob.Kind.APPLICATIONS:
        return plan_applications(
            job.owner,
            raw,
            options["mapping"],
            status_map=options.get("status_map"),
            date_order=options.get("date_order"),
        )
    return plan_linkedin(job.owner, raw, date_order=options.get("date_order"))


def _batch_of(plan: ImportPlan, start: int, end: int) -> ImportPlan:
    """The plan's rows start:end, with the companies as they are now (earlier batches
    created some)."""
    owner = plan.owner  # type: ignore[attr-defined]
    companies = {company_key(c.name): c for c in Company.objects.filter(owner=owner)}
    if isinstance(plan, ApplicationsPlan):
        return dataclasses.replace(
            plan, rows=plan.rows[start:end], cleaned=plan.cleaned[start:end], companies=companies
        )
    assert isinstance(plan, LinkedInPlan)
    return dataclasses.replace(
        plan, rows=plan.rows[start:end], parsed=plan.parsed[start:end], companies=companies
    )


def write_batch(plan: ImportPlan, journal: Journal) -> ImportResult:
    """Commits one batch's plan as the request commits a whole one (the same rules fire)."""
    if isinstance(plan, ApplicationsPlan):
        return commit_applications(plan, journal=journal)
    assert isinstance(plan, LinkedInPlan)
    return commit_linkedin(plan, journal=journal)


def _followups():
    """followups.FollowUp's manager, through the relation (contacts imports no followups)."""
    return JobApplication._meta.get_field("followups").related_model._default_manager  # type: ignore[union-attr]


def _added(counts: dict, result: ImportResult) -> dict:
    return {name: counts.get(name, 0) + value for name, value in dataclasses.asdict(result).items()}


def _failure(error: Exception) -> str:
    """What went wrong, in words a person can act on."""
    if isinstance(error, ImportFileError):
        return str(error)
    fault = storage_fault(error)
    if fault is not None:
        return fault.message
    return (
        "The database refused a row the preview allowed; the data changed while the import "
        "ran "
        f"({error.__class__.__name__}). Upload the file again to see a fresh preview."
    )


def _finish(job: ImportJob, state: str, *, errors: list[str] | None = None) -> None:
    job.state = state
    job.errors = [text.replace("\x00", "\ufffd") for text in errors or []]
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "errors", "finished_at", "updated_at"])
    discard_staged(job.owner, job.token)


# Taking a failed import back --------------------------------------------------------------

# Dependents first: a contact or application points at its company.
TAKE_BACK_ORDER = ("contacts.contact", "crm.jobapplication", "crm.company")


def take_back(job: ImportJob) -> None:
    """Puts the account back as it was before the job, scoped to the owner, a batch per
    transaction, undoing the newest first: what the rules did in the job's batches (the
    follow-ups and history rows they created are deleted; the fields they changed on
    rows that were there before, a follow-up completed, cancelled or moved, a contact's
    cadence, an application's status, get their old values), then what the job wrote
    itself (the rows it created are deleted, the rows it changed get their old values
    through save()). The rules fire again as rows go and come back (a deleted message,
    an application saved with its old status): what they do to follow-ups then is
    recorded and undone too. Then forgets what it undid."""
    owner = job.owner
    logs = list(
        ImportRuleChanges.objects.filter(owner=owner, job=job).values_list("changes", flat=True)
    )
    for log in reversed(logs):
        with transaction.atomic():
            undo.delete_created(owner.pk, log)
    for log in reversed(logs):  # the oldest log's values written last
        with transaction.atomic():
            undo.restore_changed(owner.pk, log)
    with undo.recording(("followups.followup",), RULES_CREATE) as during:
        _take_back_rows(job)
    # Of what the rules did meanwhile, the changes to rows the job's rules had changed
    # (restored above) are undone; a follow-up the user made from an imported message
    # meanwhile is cancelled with it, as deleting a message always does.
    again, restored = (
        during.as_json(),
        {(label, pk) for log in logs for label, pk, _ in log["changed"]},
    )
    again["changed"] = [entry for entry in again["changed"] if tuple(entry[:2]) in restored]
    with transaction.atomic():
        undo.undo(owner.pk, [again])
    ImportRuleChanges.objects.filter(owner=owner, job=job).delete()
    job.created = []
    job.changed = []
    job.counts = {}
    job.position = 0
    job.done = 0
    job.carry = {}
    job.save(
        update_fields=["created", "changed", "counts", "position", "done", "carry", "updated_at"]
    )


def _take_back_rows(job: ImportJob) -> None:
    """Deletes every row the job created and puts back the old values of every row it
    changed (newest first)."""
    created: dict[str, list[int]] = defaultdict(list)
    interactions = []
    for label, pk, *last in job.created:
        if last:  # a run of an archive's messages: [label, first, last]
            interactions.append((pk, last[0]))
        else:
            created[label].append(pk)
    size = batch_rows()
    # Follow-ups a job's record named before the rules had one (jobs queued before it).
    for start in range(0, len(followups := created.pop("followups.followup", [])), size):
        with transaction.atomic():
            _followups().filter(owner=job.owner, pk__in=followups[start : start + size]).delete()
    for first, last in interactions:
        # Before their contacts (existing ones keep theirs otherwise).
        for low in range(first, last + 1, size):
            with transaction.atomic():
                _delete_bulk_written(job.owner, low, min(last, low + size - 1))
    for label, pk, old in reversed(job.changed):
        model = apps.get_model(label)
        with transaction.atomic():
            obj = model._default_manager.filter(pk=pk, owner=job.owner).first()
            if obj is None:
                continue  # deleted since by the user
            for attname, value in old.items():
                field = next(f for f in model._meta.concrete_fields if f.attname == attname)
                setattr(obj, attname, None if value is None else field.to_python(value))
            obj.save()  # through save(): the rules see the edit as they saw the import's
    for label in TAKE_BACK_ORDER:
        pks = created.get(label, [])
        model = apps.get_model(label)
        for start in range(0, len(pks), size):
            batch = pks[start : start + size]
            with transaction.atomic():
                if model is JobApplication:
                    # A follow-up would stay, pointing at nothing, when its application
                    # goes (SET_NULL): those made on it since (a logged reply) go with
                    # it. A contact's go with the contact (CASCADE).
                    _followups().filter(owner=job.owner, application_id__in=batch).delete()
                model._default_manager.filter(pk__in=batch, owner=job.owner).delete()


def _delete_bulk_written(owner: User, low: int, high: int) -> None:
    """Deletes the owner's interactions low..high, an archive's messages written in bulk.

    They go as they came, in one DELETE: through delete() each would run the rules for a
    deleted interaction (5 ms a row: 28 s for 6,000, bench/README.md). What the rules did
    with them (the rules part, the confirmed rejections) is in the job's rule record and
    undone by take_back. Those something points at since (the user logged a reply to one,
    a feedback theme...) still go through delete(), rules and on_delete included.
    """
    chunk = Interaction.objects.filter(owner=owner, pk__gte=low, pk__lte=high)
    pointed_at: set[int] = set()
    for relation in Interaction._meta.related_objects:
        pointed_at.update(
            relation.related_model._base_manager.filter(  # type: ignore[union-attr]
                **{f"{relation.field.name}__in": chunk.values("pk")}
            ).values_list(relation.field.attname, flat=True)
        )
    chunk.filter(pk__in=pointed_at).delete()
    quote = connection.ops.quote_name
    table, owner_column = Interaction._meta.db_table, Interaction._meta.get_field("owner").column
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(table)} WHERE {quote(owner_column)} = %s "  # noqa: S608
            f"AND {quote(Interaction._meta.pk.column)} BETWEEN %s AND %s",
            [owner.pk, low, high],
        )


def recover_stale(user: User, *, now=None) -> None:
    """Fails the user's imports whose worker stopped beating, taking back their rows, and
    those no worker picked up in time. A conditional UPDATE claims each, so a task that
    resumes the job at the same moment and this never both act on it."""
    now = now or timezone.now()
    for job in ImportJob.objects.filter(
        owner=user,
        state__in=[ImportJob.State.QUEUED, ImportJob.State.WRITING],
        updated_at__lt=now - stale_after(),
    ):
        was = job.state
        if not ImportJob.objects.filter(pk=job.pk, state=was, updated_at=job.updated_at).update(
            state=ImportJob.State.FAILED, updated_at=now
        ):
            continue
        job.refresh_from_db()
        if was == ImportJob.State.WRITING:
            take_back(job)
            error = "The import was interrupted (the worker stopped). Upload the file again."
        else:
            error = (
                "No worker picked the import up. Start the worker (python manage.py "
                "qcluster) and upload the file again."
            )
        _finish(job, ImportJob.State.FAILED, errors=[error])
