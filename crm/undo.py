"""A record of the rows a piece of work created or changed in chosen tables, to undo it
exactly: the rules' changes during an import's batch (contacts/importers/jobs.py).

The rules engine writes follow-ups, their history and contacts' cadences from the save
path of whatever the import writes, in code the import cannot see. While a `recording()`
block is open in this thread, every row of a recorded model that is created is noted,
and every existing row gets its values as they were before its first change in the
block (read from the database, one query per row). `undo()` deletes the first and puts
the second back, with QuerySet.update(): no save() runs, so no rule fires on the way
back. Models lower in the stack cannot import followups, so the models are named by
label, and FollowUp's conditional UPDATEs (which send no signal) call `note_change()`.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

# label → the lookup of the row's owner (every row belongs to a user, DESIGN.md).
OWNER_LOOKUPS = {"followups.followupevent": "followup__owner_id"}


@dataclass
class UndoLog:
    """What one block created (label → pks) and changed ((label, pk) → old values)."""

    labels: frozenset[str]  # whose changed rows are recorded
    creating: frozenset[str]  # whose new rows are recorded (a subset)
    created: dict[str, list[int]] = field(default_factory=dict)
    before: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)

    def note_created(self, obj: models.Model) -> None:
        self.created.setdefault(obj._meta.label_lower, []).append(obj.pk)

    def note_change(self, model: type[models.Model], pk: int) -> None:
        label = model._meta.label_lower
        if (label, pk) in self.before or pk in self.created.get(label, ()):
            return  # its first state is known already (or it goes on an undo)
        names = [f.attname for f in model._meta.concrete_fields]
        row = model._base_manager.filter(pk=pk).values(*names).first()
        if row is not None:
            self.before[label, pk] = {name: _json(row[name]) for name in names if name != "id"}

    def __bool__(self) -> bool:
        return bool(self.created or self.before)

    def as_json(self) -> dict:
        """{"created": [[label, first pk, last pk], ...], "changed": [[label, pk, {attname:
        old value}], ...]}: what an ImportJob keeps per batch (consecutive pks as one
        run). Read at the end of the block: only the fields it changed are kept, so an
        undo puts back what the block did and nothing another step changed before it
        (an import's own bulk update of a contact the rules then gave a cadence)."""
        created: list[list] = []
        for label, pks in self.created.items():
            for pk in sorted(set(pks)):
                if created and created[-1][0] == label and created[-1][2] == pk - 1:
                    created[-1][2] = pk
                else:
                    created.append([label, pk, pk])
        changed = []
        by_label: dict[str, list[int]] = {}
        for label, pk in self.before:
            by_label.setdefault(label, []).append(pk)
        for label, pks in by_label.items():
            model = apps.get_model(label)
            names = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
            for start in range(0, len(pks), 500):
                now = model._base_manager.filter(pk__in=pks[start : start + 500]).values(
                    "pk", *names
                )
                for row in now:
                    old = self.before[label, row["pk"]]
                    diff = {
                        name: old[name]
                        for name in names
                        if name != "updated_at" and _json(row[name]) != old[name]
                    }
                    if diff:
                        changed.append([label, row["pk"], diff])
        return {"created": created, "changed": changed}


_current: contextvars.ContextVar[UndoLog | None] = contextvars.ContextVar("undo_log", default=None)


@contextlib.contextmanager
def recording(changed: Iterable[str], created: Iterable[str]) -> Iterator[UndoLog]:
    """Notes, until the block ends, the old values of the rows of the models `changed`
    and the new rows of the models `created` (labels, "app_label.model")."""
    log = UndoLog(frozenset(changed) | frozenset(created), frozenset(created))
    token = _current.set(log)
    try:
        yield log
    finally:
        _current.reset(token)


def note_change(obj: models.Model) -> None:
    """Called before `obj`'s row is changed by something that sends no signal."""
    log = _current.get()
    if log is not None and obj._meta.label_lower in log.labels and obj.pk is not None:
        log.note_change(type(obj), obj.pk)


def _before_save(sender, instance, raw=False, **kwargs) -> None:
    if not raw and not instance._state.adding:
        note_change(instance)


def _after_save(sender, instance, created, raw=False, **kwargs) -> None:
    log = _current.get()
    if created and not raw and log is not None and instance._meta.label_lower in log.creating:
        log.note_created(instance)


pre_save.connect(_before_save, dispatch_uid="crm.undo.before_save")
post_save.connect(_after_save, dispatch_uid="crm.undo.after_save")


def undo(owner_id: int, logs: list[dict], *, now: dt.datetime | None = None) -> None:
    """Undoes the logs (as_json(), the oldest first) within the owner's rows: deletes
    what they created, then gives each changed row the values it had before the oldest
    log changed it. Each step may run in a transaction of its own, in this order."""
    for log in reversed(logs):
        delete_created(owner_id, log)
    for log in reversed(logs):
        restore_changed(owner_id, log, now=now)


def delete_created(owner_id: int, log: dict) -> None:
    """Deletes the rows the log created (through the ORM: a follow-up's history goes
    with it), one DELETE per run of pks."""
    for label, first, last in log.get("created", []):
        model = apps.get_model(label)
        lookup = OWNER_LOOKUPS.get(label, "owner_id")
        model._base_manager.filter(pk__gte=first, pk__lte=last, **{lookup: owner_id}).delete()


def restore_changed(owner_id: int, log: dict, *, now: dt.datetime | None = None) -> None:
    """Puts back the old values of the rows the log changed. Logs go newest first, so
    the oldest log's values are the last written. `updated_at` becomes now, not its old
    value: the row did change again, and the calendar feed's Last-Modified must not go
    back in time (a calendar app would keep the moved event)."""
    now = now or timezone.now()
    for label, pk, values in log.get("changed", []):
        model = apps.get_model(label)
        fields = {f.attname: f for f in model._meta.concrete_fields}
        old = {
            name: None if value is None else fields[name].to_python(value)
            for name, value in values.items()
            if name in fields
        }
        for name, value in list(old.items()):
            target = fields[name].related_model
            gone = target is not None and value is not None
            if gone and not target._base_manager.filter(pk=value).exists():
                del old[name]  # what it pointed at was deleted since: it stays null
        if "updated_at" in fields:
            old["updated_at"] = now
        lookup = OWNER_LOOKUPS.get(label, "owner_id")
        model._base_manager.filter(pk=pk, **{lookup: owner_id}).update(**old)


def _json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value
