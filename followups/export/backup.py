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
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.utils import timezone

from contacts.models import Contact, Interaction
from crm.models import Company, JobApplication, Profile
from followups.models import (
    FeedbackTheme,
    FollowUp,
    FollowUpEvent,
    Goal,
    GoalProgress,
    Reflection,
    ReplyTemplate,
)

FORMAT = "followup-crm-backup"
VERSION = 1
BATCH_SIZE = 500

# Dependency order: a section refers only to sections above it.
SECTIONS: list[tuple[str, type[models.Model]]] = [
    ("companies", Company),
    ("applications", JobApplication),
    ("contacts", Contact),
    ("interactions", Interaction),
    ("followups", FollowUp),
    ("followup_events", FollowUpEvent),
    ("reply_templates", ReplyTemplate),
    ("feedback_themes", FeedbackTheme),
    ("goals", Goal),
    ("goal_progress", GoalProgress),
    ("reflections", Reflection),
]
SECTION_OF = {model: key for key, model in SECTIONS}
# Settings that are not the user's to carry over: the calendar feed's secret stays with
# the account it was issued to.
PROFILE_SKIP = {"id", "user", "calendar_token"}


class BackupError(Exception):
    """The file cannot be restored; str(error) is the message for the user."""


# Describing the models --------------------------------------------------------------


def _owner_lookup(model: type[models.Model]) -> str:
    """The filter path from `model` to its owner (`owner`, or `followup__owner`…)."""
    names = {f.name for f in model._meta.concrete_fields}
    if "owner" in names:
        return "owner"
    for f in model._meta.concrete_fields:
        if f.is_relation and f.related_model in SECTION_OF:
            return f"{f.name}__{_owner_lookup(f.related_model)}"
    raise LookupError(f"{model.__name__} has no path to its owner; add one to backup.py")


def _is_user(model: type[models.Model] | None) -> bool:
    return model is get_user_model()


def _value_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key and not f.is_relation]


def _ref_fields(model: type[models.Model]) -> list[models.Field]:
    fields = []
    for f in model._meta.concrete_fields:
        if not f.is_relation or _is_user(f.related_model):
            continue
        if f.related_model not in SECTION_OF:
            raise LookupError(
                f"{model.__name__}.{f.name} points to {f.related_model.__name__}, which the "
                "backup does not cover; add it to SECTIONS in followups/export/backup.py"
            )
        fields.append(f)
    return fields


def _m2m_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.many_to_many if f.related_model in SECTION_OF]


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
    return value


# Export -----------------------------------------------------------------------------

# The C encoder: json.dumps with indent (or any separators) set runs the pure-Python one,
# about 3× slower. One record per line keeps the file readable and diffable.
_encode = json.JSONEncoder(ensure_ascii=False).encode
# Records per yielded chunk (see followups/export/streaming.py).
ROWS_PER_CHUNK = 500


class _Positions:
    """A section's row positions by database key, as the rows stream past in pk order:
    8 bytes a row (an array of pks, searched by bisection) instead of a dict entry."""

    def __init__(self) -> None:
        self.pks = array("q")

    def add(self, pk: int) -> int:
        self.pks.append(pk)
        return len(self.pks)

    def get(self, pk: int | None) -> int | None:
        if pk is None:
            return None
        i = bisect_left(self.pks, pk)
        # None: a row pointing at another owner's row (a bug elsewhere) exports the link
        # as empty rather than failing the whole download.
        return i + 1 if i < len(self.pks) and self.pks[i] == pk else None


def _dumper(f: models.Field):
    if isinstance(f, models.DateTimeField):
        return lambda value: None if value is None else value.astimezone(UTC).isoformat()
    if isinstance(f, models.DateField):
        return lambda value: None if value is None else value.isoformat()
    return None


def _section_rows(user, model: type[models.Model], positions: dict) -> Iterator[str]:
    """One JSON record per row of `model` that `user` owns, in pk order.

    The field lists are worked out once per section, and rows are read as tuples
    (values_list through a server-side cursor), never as model instances.
    """
    values = _value_fields(model)
    refs = _ref_fields(model)
    m2m = _m2m_fields(model)
    names = ["id", *(f.name for f in values), *(f.name for f in refs)]
    dumpers = [(i + 1, d) for i, f in enumerate(values) if (d := _dumper(f)) is not None]
    ref_slots = [(1 + len(values) + i, positions[f.related_model]) for i, f in enumerate(refs)]
    owned = {_owner_lookup(model): user}
    rows = (
        model.objects.filter(**owned)
        .order_by("pk")
        .values_list("pk", *(f.attname for f in values), *(f.attname for f in refs))
        .iterator(chunk_size=2000)
    )
    links = [_m2m_links(f, model, owned) for f in m2m]
    mine = positions[model]
    for row in rows:
        record = list(row)
        record[0] = mine.add(row[0])
        for i, dump in dumpers:
            record[i] = dump(record[i])
        for i, targets in ref_slots:
            record[i] = targets.get(record[i])
        item = dict(zip(names, record, strict=True))
        for f, link in zip(m2m, links, strict=True):
            targets = positions[f.related_model]
            found = (targets.get(pk) for pk in link.take(row[0]))
            item[f.name] = sorted(p for p in found if p is not None)
        yield _encode(item)


class _m2m_links:  # noqa: N801 - reads as a function at its one call site
    """The targets of one many-to-many field, read in source order beside the section's
    rows (a merge of two ordered cursors: no dict of every link in memory)."""

    def __init__(self, f: models.ManyToManyField, model, owned: dict) -> None:
        through = f.remote_field.through
        source = through._meta.get_field(f.m2m_field_name())
        target = through._meta.get_field(f.m2m_reverse_field_name())
        owner_filter = {f"{source.name}__{key}": value for key, value in owned.items()}
        self.pairs = iter(
            through.objects.filter(**owner_filter)
            .order_by(source.attname, target.attname)
            .values_list(source.attname, target.attname)
            .iterator(chunk_size=2000)
        )
        self.pending = next(self.pairs, None)

    def take(self, source_pk: int) -> list[int]:
        found = []
        while self.pending is not None and self.pending[0] <= source_pk:
            if self.pending[0] == source_pk:
                found.append(self.pending[1])
            self.pending = next(self.pairs, None)
        return found


def iter_backup_json(user, *, now: datetime | None = None) -> Iterator[str]:
    """Everything `user` owns as a JSON document, in chunks of text as it is read.

    Sections come in SECTIONS order, one record per line; memory stays flat however
    many rows there are (about 8 bytes per row for the id map, see _Positions).
    """
    now = now or timezone.now()
    head = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": _dump(now),
        "username": user.get_username(),
        "profile": _export_profile(user),
    }
    yield _encode(head)[:-1]
    positions = {model: _Positions() for _, model in SECTIONS}
    for key, model in SECTIONS:
        yield f",\n{_encode(key)}: ["
        separator = "\n"
        batch: list[str] = []
        for record in _section_rows(user, model, positions):
            batch.append(record)
            if len(batch) == ROWS_PER_CHUNK:
                yield separator + ",\n".join(batch)
                batch.clear()
                separator = ",\n"
        if batch:
            yield separator + ",\n".join(batch)
            separator = ",\n"
        yield "\n]" if separator != "\n" else "]"
    yield "}\n"


def _export_profile(user) -> dict:
    profile = Profile.for_user(user)
    return {
        f.name: _dump(getattr(profile, f.attname))
        for f in Profile._meta.concrete_fields
        if f.name not in PROFILE_SKIP
    }


def export_json(user, *, now: datetime | None = None) -> str:
    """The backup as one string (tests, scripts); the download streams iter_backup_json."""
    return "".join(iter_backup_json(user, now=now))


def export_user_data(user, *, now: datetime | None = None) -> dict:
    """Everything `user` owns as a dict: exactly what the download holds, parsed."""
    return json.loads(export_json(user, now=now))


# Restore ----------------------------------------------------------------------------


def owns_anything(user) -> bool:
    return any(
        model.objects.filter(**{_owner_lookup(model): user}).exists() for _, model in SECTIONS
    )


def parse_backup(raw: bytes) -> dict:
    """The document in an uploaded file, or BackupError saying what is wrong with it."""
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
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
    return document


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


def _build(model, item: Any, where: str, user, refs: dict) -> tuple[models.Model, dict]:
    """An unsaved instance from one item, and its auto-stamped times to write back."""
    if not isinstance(item, dict) or not isinstance(item.get("id"), int):
        raise BackupError(f"{where} is not a row with a numeric id.")
    obj = model()
    if "owner" in {f.name for f in model._meta.concrete_fields}:
        obj.owner = user
    for f in _value_fields(model):
        if f.name not in item:
            continue  # older backups lack newer fields: keep the default
        try:
            setattr(obj, f.attname, _clean_value(f, item[f.name], obj))
        except ValidationError as error:
            raise BackupError(f"{where}, field {f.name}: {' '.join(error.messages)}") from None
        except (TypeError, ValueError):
            raise BackupError(f"{where}, field {f.name}: not a value this field holds.") from None
    for f in _ref_fields(model):
        target = item.get(f.name)
        if target is None:
            if not f.null:
                raise BackupError(f"{where} has no {f.name}.")
            continue
        try:
            setattr(obj, f.name, refs[f.related_model][target])
        except (KeyError, TypeError):
            raise BackupError(
                f"{where} refers to {f.name} {target!r}, which is not in the file."
            ) from None
    times = {name: getattr(obj, name) for name in _auto_time_fields(model)}
    return obj, times


@transaction.atomic
def restore_user_data(user, document: dict) -> dict[str, int]:
    """Recreates a backup in `user`'s empty account; returns the rows per section.

    All or nothing: any problem raises BackupError and the transaction rolls back.
    """
    if owns_anything(user):
        raise BackupError(
            "Restoring only works into an empty account, so nothing you have is "
            "overwritten or mixed up. This account already holds data."
        )
    refs: dict[type[models.Model], dict[int, models.Model]] = {}
    counts = {}
    try:
        _restore_profile(user, document.get("profile") or {})
        for key, model in SECTIONS:
            items = document.get(key, [])
            if not isinstance(items, list):
                raise BackupError(f"The section {key} is not a list.")
            built = [
                _build(model, item, f"{key} row {n}", user, refs)
                for n, item in enumerate(items, start=1)
            ]
            objs = [obj for obj, _ in built]
            model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
            refs[model] = {item["id"]: obj for item, obj in zip(items, objs, strict=True)}
            if len(refs[model]) != len(objs):
                raise BackupError(f"The section {key} repeats a row id.")
            _restore_times(model, built)
            _restore_m2m(model, key, items, refs)
            counts[key] = len(objs)
    except DatabaseError as error:
        raise BackupError(
            f"The backup does not fit together ({error}); nothing was restored."
        ) from None
    return counts


def _restore_times(model, built: list[tuple[models.Model, dict]]) -> None:
    names = _auto_time_fields(model)
    if not names or not built:
        return
    for obj, times in built:
        for name, value in times.items():
            if value is not None:
                setattr(obj, name, value)
    # bulk_update writes the attributes as they are, without save()'s auto-now stamping.
    model.objects.bulk_update([obj for obj, _ in built], names, batch_size=BATCH_SIZE)


def _restore_m2m(model, key: str, items: list[dict], refs: dict) -> None:
    for f in _m2m_fields(model):
        through = f.remote_field.through
        source = f.m2m_field_name()
        target = f.m2m_reverse_field_name()
        links = []
        for item in items:
            for ref in item.get(f.name) or []:
                try:
                    other = refs[f.related_model][ref]
                except (KeyError, TypeError):
                    raise BackupError(
                        f"{key} row {item['id']} refers to {f.name} {ref!r}, which is not in "
                        "the file."
                    ) from None
                links.append(through(**{source: refs[model][item["id"]], target: other}))
        through.objects.bulk_create(links, batch_size=BATCH_SIZE)


def _restore_profile(user, values: dict) -> None:
    if not isinstance(values, dict):
        raise BackupError("The profile in the file is not a set of settings.")
    profile = Profile.for_user(user)
    changed = {}
    for f in Profile._meta.concrete_fields:
        if f.name in PROFILE_SKIP or f.name not in values:
            continue
        try:
            changed[f.attname] = _clean_value(f, values[f.name], profile)
        except ValidationError as error:
            raise BackupError(f"profile, field {f.name}: {' '.join(error.messages)}") from None
        except (TypeError, ValueError):
            raise BackupError(f"profile, field {f.name}: not a value this field holds.") from None
    # update(), not save(): restoring settings is not a settings change to react to.
    Profile.objects.filter(pk=profile.pk).update(**changed)
    for name, value in changed.items():
        setattr(profile, name, value)
