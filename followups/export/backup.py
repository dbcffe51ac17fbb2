"""A full JSON backup of one user's data, and restoring it into an empty account.

The document lists every row the user owns, section by section in dependency order.
Each row carries a document-local `id` (its position in the section, 1, 2, 3…) and
refers to other rows by those ids, never by database keys: a backup restored into
another account and exported again gives the same document.

Restoring must recreate the follow-ups exactly as they were, not let the rules engine
derive new ones from the restored interactions. The rules hang off post_save signals
(followups/signals.py) and model save() methods; `bulk_create` runs neither, so every
row is inserted with bulk_create and nothing is scheduled behind our back.
"""

from __future__ import annotations

import json
import time
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connections, models, transaction
from django.utils import timezone

from contacts.models import Contact, Interaction
from crm.models import ApplicationStatusChange, Company, JobApplication, Profile
from followups.export import limits
from followups.models import (
    DigestDelivery,
    FeedbackTheme,
    FollowUp,
    FollowUpEvent,
    Goal,
    GoalProgress,
    Reflection,
    ReplyTemplate,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

FORMAT = "followup-crm-backup"
VERSION = 1
BATCH_SIZE = 500

# Dependency order: a section refers only to sections above it.
SECTIONS: list[tuple[str, type[models.Model]]] = [
    ("companies", Company),
    ("applications", JobApplication),
    ("application_status_changes", ApplicationStatusChange),
    ("contacts", Contact),
    ("interactions", Interaction),
    ("followups", FollowUp),
    ("followup_events", FollowUpEvent),
    ("reply_templates", ReplyTemplate),
    ("feedback_themes", FeedbackTheme),
    ("goals", Goal),
    ("goal_progress", GoalProgress),
    ("reflections", Reflection),
    # Which days' digests went out: without it a restored account gets today's digest a
    # second time.
    ("digest_deliveries", DigestDelivery),
]
# The scheduler's records, not the user's data: an account that only holds these (a
# digest with nothing to say went out on the day it was made) is still empty to restore.
BOOKKEEPING = {DigestDelivery}
SECTION_OF = {model: key for key, model in SECTIONS}
# Settings that are not the user's to carry over: the calendar feed's secret stays with
# the account it was issued to.
PROFILE_SKIP = {"id", "user", "calendar_token"}


class BackupError(Exception):
    """The file cannot be restored; str(error) is the message for the user, `errors`
    every problem found (a restore checks the whole file before it writes anything)."""

    def __init__(self, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or [message]


# Describing the models --------------------------------------------------------------


def _related(f: Any) -> type[models.Model]:
    """The model a relation points to (a class once the apps are loaded, never 'self')."""
    return cast(type[models.Model], f.related_model)


def _owner_lookup(model: type[models.Model]) -> str:
    """The filter path from `model` to its owner (`owner`, or `followup__owner`…)."""
    names = {f.name for f in model._meta.concrete_fields}
    if "owner" in names:
        return "owner"
    for f in model._meta.concrete_fields:
        if f.is_relation and f.related_model in SECTION_OF:
            return f"{f.name}__{_owner_lookup(_related(f))}"
    raise LookupError(f"{model.__name__} has no path to its owner; add one to backup.py")


def _is_user(model: type[models.Model] | None) -> bool:
    return model is get_user_model()


def _value_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key and not f.is_relation]


def _ref_fields(model: type[models.Model]) -> list[models.Field]:
    fields = []
    for f in model._meta.concrete_fields:
        if not f.is_relation or _is_user(_related(f)):
            continue
        if f.related_model not in SECTION_OF:
            raise LookupError(
                f"{model.__name__}.{f.name} points to {_related(f).__name__}, which the "
                "backup does not cover; add it to SECTIONS in followups/export/backup.py"
            )
        fields.append(f)
    return fields


def _m2m_fields(model: type[models.Model]) -> list[models.ManyToManyField]:
    return [
        f
        for f in model._meta.get_fields()
        if isinstance(f, models.ManyToManyField) and f.related_model in SECTION_OF
    ]


def _auto_time_fields(model: type[models.Model]) -> list[str]:
    """Fields save() stamps with now(); a restore writes them back afterwards."""
    return [
        f.attname
        for f in _value_fields(model)
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]


def _dump(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):  # salaries (crm.JobApplication): exact, as text
        return str(value)
    return value


# Export -----------------------------------------------------------------------------
#
# The download streams: rows are read with values_list() through a database cursor in
# chunks, each encoded on its own by the C JSON encoder (one row a line), so memory stays
# flat however large the account (the whole document in memory took 2.8 GB and outlived
# gunicorn's 30 s timeout at 10× the heavy account, issue 19). The field lists are worked
# out once per section, not once per row.

CHUNK_SIZE = 2000
# Rows are written in pieces of about this many characters (fewer, larger writes).
WRITE_SIZE = 64 * 1024
_encode = json.JSONEncoder(ensure_ascii=False).encode


class _Positions:
    """The document-local ids of one section: its rows' pks in order (a compact array,
    8 bytes a row), an id found by bisection."""

    def __init__(self) -> None:
        self.pks = array("q")

    def of(self, pk: int | None) -> int | None:
        if pk is None:
            return None
        i = bisect_left(self.pks, pk)
        # A row pointing at another owner's row (a bug elsewhere) exports the link as
        # empty rather than failing the whole download.
        return i + 1 if i < len(self.pks) and self.pks[i] == pk else None


def _m2m_links(
    model: type[models.Model], f: models.ManyToManyField, user: User
) -> Iterator[tuple[int, int]]:
    """(row pk, linked pk) for every link of `f` on the user's rows, by row pk."""
    through = cast(type[models.Model], f.remote_field.through)
    source = cast(models.ForeignKey, through._meta.get_field(f.m2m_field_name())).attname
    target = cast(models.ForeignKey, through._meta.get_field(f.m2m_reverse_field_name())).attname
    links = through._default_manager.filter(
        **{f"{f.m2m_field_name()}__{_owner_lookup(model)}": user}
    ).order_by(source, target)
    return links.values_list(source, target).iterator(chunk_size=CHUNK_SIZE)


def _section_items(
    model: type[models.Model], user: User, positions: dict[type[models.Model], _Positions]
) -> Iterator[dict[str, Any]]:
    """The section's rows as items, in pk order; fills positions[model] as it goes."""
    values = _value_fields(model)
    refs = _ref_fields(model)
    m2m = _m2m_fields(model)
    names = [f.name for f in values] + [f.name for f in refs]
    # Dates, datetimes and decimals need _dump; other values go out as read.
    dumped = [
        i for i, f in enumerate(values) if isinstance(f, (models.DateField, models.DecimalField))
    ]
    ref_positions = [positions[_related(f)] for f in refs]
    ref_start = len(values)
    links = [_m2m_links(model, f, user) for f in m2m]
    pending: list[tuple[int, int] | None] = [next(it, None) for it in links]
    mine = positions[model] = _Positions()
    rows = (
        model._default_manager.filter(**{_owner_lookup(model): user})
        .order_by("pk")
        .values_list("pk", *[f.attname for f in values], *[f.attname for f in refs])
    )
    for position, (pk, *row) in enumerate(rows.iterator(chunk_size=CHUNK_SIZE), start=1):
        mine.pks.append(pk)
        for i in dumped:
            row[i] = _dump(row[i])
        for i, targets in enumerate(ref_positions, start=ref_start):
            row[i] = targets.of(row[i])
        item: dict[str, Any] = {"id": position}
        item.update(zip(names, row, strict=True))
        for n, f in enumerate(m2m):
            linked = []
            while (link := pending[n]) is not None and link[0] <= pk:
                if link[0] == pk:
                    linked.append(link[1])
                pending[n] = next(links[n], None)
            targets = positions[_related(f)]
            item[f.name] = sorted(p for p in map(targets.of, linked) if p is not None)
        yield item


def _header(user: User, now: datetime) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _dump(now),
        "username": user.get_username(),
        "profile": _export_profile(user),
    }


def export_user_data(user: User, *, now: datetime | None = None) -> dict:
    """Everything `user` owns as one JSON-ready dict (in memory: for tests and small
    accounts; the download streams `iter_backup_json`)."""
    document = _header(user, now or timezone.now())
    positions: dict[type[models.Model], _Positions] = {}
    for key, model in SECTIONS:
        document[key] = list(_section_items(model, user, positions))
    return document


def iter_backup_json(user: User, *, now: datetime | None = None) -> Iterator[bytes]:
    """The backup document as UTF-8 pieces, one row a line: the same data as
    `export_user_data`, byte for byte the same for the same data and time."""
    header = _encode(_header(user, now or timezone.now()))
    parts = [header[:-1]]  # the header object, left open for the sections
    size = len(parts[0])
    positions: dict[type[models.Model], _Positions] = {}
    for key, model in SECTIONS:
        parts.append(f",\n{_encode(key)}: [")
        separator = "\n"
        for item in _section_items(model, user, positions):
            line = separator + _encode(item)
            parts.append(line)
            size += len(line)
            separator = ",\n"
            if size >= WRITE_SIZE:
                yield "".join(parts).encode()
                parts, size = [], 0
        parts.append("\n]")
    parts.append("\n}\n")
    yield "".join(parts).encode()


def _export_profile(user: User) -> dict:
    profile = Profile.for_user(user)
    return {
        f.name: _dump(getattr(profile, f.attname))
        for f in Profile._meta.concrete_fields
        if f.name not in PROFILE_SKIP
    }


def export_json(user: User, *, now: datetime | None = None) -> str:
    """The whole backup document as one string (see `iter_backup_json`)."""
    return b"".join(iter_backup_json(user, now=now)).decode()


# Restore ----------------------------------------------------------------------------
#
# In two steps, so a restore can run in short transactions (followups/export/restore_jobs.py):
# plan_restore checks the whole document and builds every row in memory, writing nothing;
# write_plan inserts the rows section by section in batches of its own transaction.

MAX_REPORTED_ERRORS = 50
EMPTY_ONLY = (
    "Restoring only works into an empty account, so nothing you have is overwritten or "
    "mixed up. This account already holds data."
)


def owns_anything(user: User) -> bool:
    return any(
        model._default_manager.filter(**{_owner_lookup(model): user}).exists()
        for _, model in SECTIONS
        if model not in BOOKKEEPING
    )


def parse_backup(raw: bytes) -> dict:
    """The document in an uploaded file (JSON, or JSON compressed with gzip), or
    BackupError saying what is wrong with it; the limits of limits.py come first."""
    try:
        raw = limits.decompressed(raw)
        limits.check_depth(raw)
    except limits.BackupLimitExceeded as error:
        raise BackupError(str(error)) from None
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BackupError(
            "This is not a Follow-up CRM backup: expected the JSON file the export page "
            "downloads (followup-crm-backup-….json)."
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BackupError(
            "This JSON file is not a Follow-up CRM backup: expected the file the export page "
            "downloads (followup-crm-backup-….json)."
        )
    if document.get("version") != VERSION:
        raise BackupError(
            f"This backup has format version {document.get('version')!r}; this server reads "
            f"version {VERSION}."
        )
    try:
        limits.check_rows(document, [key for key, _ in SECTIONS])
    except limits.BackupLimitExceeded as error:
        raise BackupError(str(error)) from None
    return document


@dataclass
class PlannedRow:
    obj: models.Model
    times: dict[str, Any]  # auto-stamped fields to write back after the insert
    links: list[tuple[models.ManyToManyField, models.Model]] = field(default_factory=list)


@dataclass
class PlannedSection:
    key: str
    model: type[models.Model]
    rows: list[PlannedRow]


@dataclass
class RestorePlan:
    """A checked document, every row built and unsaved, in the order it is written."""

    user: User
    profile: dict[str, Any]
    sections: list[PlannedSection]
    warnings: list[str]

    @property
    def rows_total(self) -> int:
        return sum(len(section.rows) for section in self.sections)


@dataclass
class _Problems:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _optional_text(f: models.Field) -> bool:
    """A text field a row may leave empty: a stored value that no longer passes its
    validation (a `javascript:` URL from before issue 13, item 6) is left out with a
    warning instead of refusing the whole backup (issue 13, item 11)."""
    return isinstance(f, models.CharField | models.TextField) and f.blank and not f.choices


def _shown(raw: str) -> str:
    return repr(raw if len(raw) <= 80 else raw[:77] + "…")


def _clean_value(f: models.Field, raw: Any, instance: models.Model) -> Any:
    value = f.to_python(raw)
    if value is None:
        if not f.null:
            raise ValidationError("is missing", code="null")
        return None
    if value not in f.empty_values:
        f.validate(value, instance)
        f.run_validators(value)
    return value


def _checked_value(
    f: models.Field, raw: Any, instance: models.Model, where: str, problems: _Problems
) -> tuple[bool, Any]:
    """(True, value) for a value to set, (False, None) when the problem is recorded."""
    too_long = limits.check_string(raw, f"{where}, field {f.name}")
    if too_long:
        problems.errors.append(too_long)
        return False, None
    try:
        return True, _clean_value(f, raw, instance)
    except ValidationError as error:
        reason = " ".join(error.messages)
        if _optional_text(f) and isinstance(raw, str):
            problems.warnings.append(
                f"{where}, field {f.name}: {reason} The value was left out: {_shown(raw)}."
            )
            return True, None if f.null else ""
        problems.errors.append(f"{where}, field {f.name}: {reason}")
    except (TypeError, ValueError):
        problems.errors.append(f"{where}, field {f.name}: not a value this field holds.")
    return False, None


def _build(
    model: type[models.Model], item: Any, where: str, user: User, refs: dict, problems: _Problems
) -> PlannedRow | None:
    """An unsaved instance from one item (None if it is not a row at all)."""
    row_id = item.get("id") if isinstance(item, dict) else None
    if not isinstance(row_id, int) or isinstance(row_id, bool):
        problems.errors.append(f"{where} is not a row with a numeric id.")
        return None
    obj = model()
    if "owner" in {f.name for f in model._meta.concrete_fields}:
        obj.owner = user  # type: ignore[attr-defined]
    for f in _value_fields(model):
        if f.name not in item:
            continue  # older backups lack newer fields: keep the default
        ok, value = _checked_value(f, item[f.name], obj, where, problems)
        if ok:
            setattr(obj, f.attname, value)
    for f in _ref_fields(model):
        target = item.get(f.name)
        if target is None:
            if not f.null:
                problems.errors.append(f"{where} has no {f.name}.")
            continue
        try:
            setattr(obj, f.name, refs[f.related_model][target])
        except (KeyError, TypeError):
            problems.errors.append(
                f"{where} refers to {f.name} {target!r}, which is not in the file."
            )
    times = {name: getattr(obj, name) for name in _auto_time_fields(model)}
    return PlannedRow(obj, times)


def _plan_links(model, item: dict, where: str, refs: dict, problems: _Problems) -> list:
    links = []
    for f in _m2m_fields(model):
        targets = item.get(f.name) or []
        if not isinstance(targets, list):
            problems.errors.append(f"{where}, field {f.name}: not a list of row ids.")
            continue
        for ref in targets:
            try:
                links.append((f, refs[f.related_model][ref]))
            except (KeyError, TypeError):
                problems.errors.append(
                    f"{where} refers to {f.name} {ref!r}, which is not in the file."
                )
    return links


def plan_restore(user: User, document: dict) -> RestorePlan:
    """Checks every row of the document and builds it, writing nothing.

    Raises BackupError listing the problems (at most MAX_REPORTED_ERRORS) when any row
    cannot be restored. Values a row may leave empty that fail today's validation are
    left out, each with a warning in `plan.warnings`.
    """
    if owns_anything(user):
        raise BackupError(EMPTY_ONLY)
    problems = _Problems()
    profile = _plan_profile(user, document.get("profile") or {}, problems)
    refs: dict[type[models.Model], dict[int, models.Model]] = {}
    sections = []
    for key, model in SECTIONS:
        refs[model] = {}
        items = document.get(key, [])
        if not isinstance(items, list):
            problems.errors.append(f"The section {key} is not a list.")
            continue
        if model is DigestDelivery:
            items = _digests_not_yet_recorded(user, items)
        rows = []
        for n, item in enumerate(items, start=1):
            where = f"{key} row {n}"
            row = _build(model, item, where, user, refs, problems)
            if row is None:
                continue
            if item["id"] in refs[model]:
                problems.errors.append(f"The section {key} repeats the row id {item['id']}.")
                continue
            refs[model][item["id"]] = row.obj
            row.links = _plan_links(model, item, where, refs, problems)
            rows.append(row)
            if len(problems.errors) >= MAX_REPORTED_ERRORS:
                break
        sections.append(PlannedSection(key, model, rows))
        if len(problems.errors) >= MAX_REPORTED_ERRORS:
            break
    if problems.errors:
        errors = problems.errors[:MAX_REPORTED_ERRORS]
        more = len(errors) - 1
        message = errors[0] + (f" (and {more} more problem{'s' * (more > 1)})" if more else "")
        raise BackupError(message, errors=errors)
    return RestorePlan(user, profile, sections, problems.warnings)


OnBatch = Callable[[type[models.Model], list[models.Model]], None]


def write_plan(
    plan: RestorePlan, *, batch_rows: int, on_batch: OnBatch | None = None, pause: float = 0
) -> dict:
    """Inserts the planned rows, at most `batch_rows` per transaction, then the profile;
    returns the rows per section. `on_batch(model, objs)` runs inside each batch's
    transaction, so what it records commits with the rows. `pause` seconds between
    batches let other writers in: SQLite's busy handler polls, sleeping up to 100 ms,
    so a writer that begins again at once would keep the lock from them for good."""
    counts = {}
    for section in plan.sections:
        model = section.model
        for start in range(0, len(section.rows), batch_rows):
            chunk = section.rows[start : start + batch_rows]
            objs = [row.obj for row in chunk]
            with transaction.atomic():
                model._default_manager.bulk_create(objs)
                _restore_times(model, chunk)
                _write_links(model, chunk)
                if on_batch:
                    on_batch(model, objs)
            if pause:
                time.sleep(pause)
        counts[section.key] = len(section.rows)
    with transaction.atomic():
        _write_profile(plan.user, plan.profile)
        if on_batch:
            on_batch(Profile, [])
    return counts


@transaction.atomic
def restore_user_data(user: User, document: dict) -> dict[str, int]:
    """Recreates a backup in `user`'s empty account; returns the rows per section.

    All or nothing in one transaction: any problem raises BackupError and it rolls back.
    The restore page runs the same steps in the worker, in batches (restore_jobs.py).
    """
    plan = plan_restore(user, document)
    try:
        return write_plan(plan, batch_rows=BATCH_SIZE)
    except DatabaseError as error:
        raise BackupError(
            f"The backup does not fit together ({error}); nothing was restored."
        ) from None


def _digests_not_yet_recorded(user, items: list) -> list:
    """The backup's digest days this account has no record of yet: a day the account
    already recorded keeps its own row (one per day, and it already stops a second)."""
    recorded = {
        d.isoformat()
        for d in DigestDelivery.objects.filter(owner=user).values_list("local_date", flat=True)
    }
    return [i for i in items if not (isinstance(i, dict) and i.get("local_date") in recorded)]


def _restore_times(model, rows: list[PlannedRow]) -> None:
    """Writes back the times bulk_create stamped with now() (auto_now, auto_now_add).

    One `UPDATE … SET f = CASE pk WHEN … END` per chunk of rows: bulk_update builds the
    same statement from Case/When expressions, and resolving those took three quarters
    of a large restore's time."""
    names = _auto_time_fields(model)
    if not names or not rows:
        return
    connection = connections[model._default_manager.db]
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    pk_column = quote(model._meta.pk.column)
    per_statement = max(1, 900 // (2 * len(fields) + 1))  # SQLite's 999 parameters
    for start in range(0, len(rows), per_statement):
        chunk = [row for row in rows[start : start + per_statement] if row.obj.pk is not None]
        assignments, params = [], []
        for f in fields:
            whens = []
            for row in chunk:
                value = row.times.get(f.attname) or getattr(row.obj, f.attname)
                whens.append("WHEN %s THEN %s")
                params += [row.obj.pk, f.get_db_prep_value(value, connection)]
            assignments.append(f"{quote(f.column)} = CASE {pk_column} {' '.join(whens)} END")
        params += [row.obj.pk for row in chunk]
        placeholders = ", ".join(["%s"] * len(chunk))
        sql = (
            f"UPDATE {quote(model._meta.db_table)} SET {', '.join(assignments)} "
            f"WHERE {pk_column} IN ({placeholders})"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    for row in rows:
        for name, value in row.times.items():
            if value is not None:
                setattr(row.obj, name, value)


def _write_links(model, rows: list[PlannedRow]) -> None:
    by_through: dict[type[models.Model], list[models.Model]] = {}
    for row in rows:
        for f, other in row.links:
            through = cast(type[models.Model], f.remote_field.through)
            link = through(**{f.m2m_field_name(): row.obj, f.m2m_reverse_field_name(): other})
            by_through.setdefault(through, []).append(link)
    for through, links in by_through.items():
        through._default_manager.bulk_create(links)


def _plan_profile(user: User, values: Any, problems: _Problems) -> dict[str, Any]:
    if not isinstance(values, dict):
        problems.errors.append("The profile in the file is not a set of settings.")
        return {}
    # For the validators only. Not Profile(user=user): that would cache an unsaved profile
    # on user.profile, which Profile.for_user then returns.
    profile = Profile()
    changed = {}
    for f in Profile._meta.concrete_fields:
        if f.name in PROFILE_SKIP or f.name not in values:
            continue
        ok, value = _checked_value(f, values[f.name], profile, "profile", problems)
        if ok:
            changed[f.attname] = value
    return changed


def _write_profile(user: User, changed: dict[str, Any]) -> None:
    profile = Profile.for_user(user)
    # update(), not save(): restoring settings is not a settings change to react to.
    Profile.objects.filter(pk=profile.pk).update(**changed)
    for name, value in changed.items():
        setattr(profile, name, value)
