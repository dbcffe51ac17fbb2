"""Get-or-create that holds under concurrent requests: companies by name through their
unique constraint, everything else matched by look-up under a per-owner lock.

Two requests naming the same new company (quick log, a form, an import) at the same time
both miss the look-up and both insert; on PostgreSQL (READ COMMITTED) the second insert
hits `company_name_unique_per_owner_ci` and, unguarded, answers 500. Contacts and
applications have no unique key to lean on (two people may share a name), so the writers
of one owner's matched rows take turns on that owner's user row instead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.functions import Lower

from crm.models import Company

__all__ = ["atomic_for_owner", "company_named", "lock_owner", "save_new_companies"]


def lock_owner(owner) -> None:
    """Makes the current transaction the only one matching-or-creating `owner`'s rows
    until it ends: SELECT … FOR UPDATE on the owner's user row.

    On PostgreSQL a second request waits here, then its look-ups (READ COMMITTED: each
    statement sees what committed before it) find what the first created. SQLite ignores
    FOR UPDATE, and needs nothing: its transactions take the write lock at BEGIN
    (`transaction_mode` IMMEDIATE in settings), so writers already run one at a time.
    Must be called inside `transaction.atomic()`.
    """
    list(get_user_model().objects.select_for_update().filter(pk=owner.pk).values_list("pk"))


def company_named(owner, name: str) -> Company:
    """The owner's company called `name` (ignoring case and extra spaces), created when
    there is none. A concurrent creation of the same name is caught by the unique
    constraint inside a savepoint and the row it made is read back (what Django's
    `get_or_create` does on IntegrityError)."""
    name = " ".join(name.split())
    company, _ = Company.objects.get_or_create(
        owner=owner, name__iexact=name, defaults={"name": name}
    )
    return company


def save_new_companies(owner, companies: Iterable[Company], *, batch_size: int) -> None:
    """Inserts `companies` (unsaved, the owner's), skipping any name another transaction
    created meanwhile, and sets every instance's pk from the database, so rows that point
    at them can be written next. One read per 1,000 names on top of the inserts."""
    companies = list(companies)
    if not companies:
        return
    # ignore_conflicts: a name created since the plan was read is skipped, not an error.
    # The pks are then read back by name on both databases (an ignored row returns none).
    Company.objects.bulk_create(companies, batch_size=batch_size, ignore_conflicts=True)
    by_key: dict[str, int] = {}
    keys = sorted({company.name.lower() for company in companies})
    for start in range(0, len(keys), 1000):
        rows = (
            Company.objects.filter(owner=owner)
            .annotate(key=Lower("name"))
            .filter(key__in=keys[start : start + 1000])
            .values_list("key", "pk")
        )
        by_key.update(rows)
    for company in companies:
        pk = by_key.get(company.name.lower())
        if pk is None:  # the database lowers a few letters unlike Python (Turkish İ)
            pk = Company.objects.get(owner=owner, name__iexact=company.name).pk
        company.pk = pk


@contextmanager
def atomic_for_owner(owner) -> Iterator[None]:
    """`transaction.atomic()` that starts with `lock_owner(owner)`."""
    with transaction.atomic():
        lock_owner(owner)
        yield
