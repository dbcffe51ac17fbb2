"""django-q2 tasks of the contacts app: thin wrappers the worker calls by dotted name."""

from __future__ import annotations

IMPORT_TASK = "contacts.tasks.run_import"


def run_import(job_id: int) -> str:
    """Imports one confirmed big upload in short transactions (contacts/importers/jobs.py)."""
    from contacts.importers import jobs

    return jobs.run_import(job_id)
