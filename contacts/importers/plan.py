"""What every importer produces: a plan of preview rows (new, update, unchanged, rejected)
that is committed all-or-nothing, and the result of committing it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Model

from contacts.importers.csvfile import ImportFileError

# Preview rows -----------------------------------------------------------------------


class RowStatus:
    NEW = "new"
    MATCH = "match"
    REJECTED = "rejected"


@dataclass
class PreviewRow:
    """One data row as it will be imported, for the preview table and the command."""

    line: int
    values: dict[str, str]
    status: str = RowStatus.NEW
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    matched: Model | None = None  # the existing row it updates
    new_company: bool = False
    parsed_date: date | None = None
    cells: list[str] = field(default_factory=list)  # values in the order of the columns
    # (heading, value) in the order of the columns: labels for the phone card layout.
    labelled_cells: list[tuple[str, str]] = field(default_factory=list)

    def reject(self, message: str) -> None:
        self.errors.append(message)
        self.status = RowStatus.REJECTED

    @property
    def is_rejected(self) -> bool:
        return self.status == RowStatus.REJECTED

    @property
    def status_label(self) -> str:
        if self.status == RowStatus.MATCH:
            return "Matches existing" + ("" if self.changes else " (no changes)")
        return {"new": "New", "rejected": "Rejected"}[self.status]


@dataclass
class ImportPlan:
    kind: str
    rows: list[PreviewRow]
    columns: list[tuple[str, str]]  # (key in PreviewRow.values, heading)
    # How the file was read, shown above the preview so a wrong guess is seen before
    # anything is saved.
    encoding_label: str = ""
    delimiter_label: str = ""
    samples: list[str] = field(default_factory=list)
    # Day/month or month/day, inferred from the file's unambiguous dates or chosen by
    # the user; `date_order_needed` while the file never says and nobody chose yet.
    date_order: str | None = None
    date_order_inferred: bool = False
    date_order_needed: bool = False
    # Status words of the file and the status each becomes ("" = none, row rejected).
    status_words: list[tuple[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for row in self.rows:
            row.cells = [row.values.get(key, "") for key, _ in self.columns]
            row.labelled_cells = [
                (heading, row.values.get(key, "")) for key, heading in self.columns
            ]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def new_count(self) -> int:
        return self.count(RowStatus.NEW)

    @property
    def match_count(self) -> int:
        return self.count(RowStatus.MATCH)

    @property
    def rejected_count(self) -> int:
        return self.count(RowStatus.REJECTED)

    @property
    def importable_count(self) -> int:
        return self.new_count + self.match_count

    @property
    def date_order_label(self) -> str:
        return {"dmy": "day first", "mdy": "month first"}.get(self.date_order or "", "")

    def check_committable(self) -> None:
        """Nothing is written while a question of the preview is open."""
        if self.date_order_needed:
            raise ImportFileError(
                "Some dates could be day/month or month/day and no row of the file tells "
                "which: choose the date order in the preview, then import."
            )


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    rejected: int = 0
    companies_created: int = 0

    def summary(self, noun: str) -> str:
        return (
            f"Created {self.created} {noun}, updated {self.updated}, "
            f"rejected {self.rejected} (new companies: {self.companies_created})."
        )


@dataclass
class Journal:
    """What one commit wrote, for the worker's import (contacts/importers/jobs.py) to take
    back if a later batch fails: the rows it created, and the old values of the rows it
    changed, as JSON (an attname → value_to_string, None kept as None)."""

    created: list[list] = field(default_factory=list)
    changed: list[list] = field(default_factory=list)

    def add(self, objs: Iterable[Model]) -> None:
        self.created.extend([obj._meta.label_lower, obj.pk] for obj in objs)

    def remember(self, obj: Model, names: Iterable[str]) -> None:
        """Called before `names` of `obj` are changed."""
        old = {}
        for name in names:
            model_field = obj._meta.get_field(name)
            value = model_field.value_from_object(obj)  # type: ignore[union-attr]
            old[model_field.attname] = (  # type: ignore[union-attr]
                None if value is None else model_field.value_to_string(obj)  # type: ignore[union-attr]
            )
        self.changed.append([obj._meta.label_lower, obj.pk, old])


def import_failed(error: Exception) -> ImportFileError:
    """What a person sees when the database refused a commit that the preview allowed."""
    return ImportFileError(
        "Nothing was imported: the data changed while you were looking at the preview "
        f"({error.__class__.__name__}). Upload the file again to see a fresh preview."
    )
