"""What the database's error says about the storage, and a probe that writes nothing."""

from __future__ import annotations

import errno
import shutil
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction

# SQLite's and PostgreSQL's own words (sqlite3.c sqlite3ErrStr; PostgreSQL SQLSTATE 25006
# and 53100), lower-cased.
READ_ONLY = (
    "readonly database",
    "read-only database",
    "unable to open database file",
    "read-only transaction",
    "read-only file system",
)
FULL = ("database or disk is full", "no space left on device", "disk full")
# SQLite's SQLITE_IOERR: what opening a database says when its -wal file cannot be made.
IO_ERROR = ("disk i/o error",)
# Less free space than this under the data folder is a full disk: SQLite grows its -wal
# file a few pages at a time, and an upload is staged there before it is imported.
DEFAULT_MIN_FREE_BYTES = 1024 * 1024


@dataclass(frozen=True)
class StorageFault:
    kind: str  # "read-only" or "full"
    message: str

    def __str__(self) -> str:
        return self.message

    @property
    def public(self) -> str:
        """The same without the folder's path, for anonymous visitors of /healthz."""
        if self.kind == "full":
            return "The disk under the app's data is full: nothing can be saved."
        return "The app's data folder or database is read-only: nothing can be saved."


def data_folder() -> Path:
    """The folder of the SQLite file (or DATA_DIR for an in-memory or server database)."""
    database = settings.DATABASES["default"]
    name = str(database.get("NAME") or "")
    in_memory = "mode=memory" in name or name.startswith("file:") or name == ":memory:"
    if database["ENGINE"].endswith("sqlite3") and name and not in_memory:
        return Path(name).resolve().parent
    return Path(settings.DATA_DIR)


def _describe(kind: str) -> StorageFault:
    if connection.vendor != "sqlite":
        if kind == "full":
            text = "The database server's disk is full: free space on it"
        else:
            text = (
                "The database refuses writes (a read-only server or transaction): point "
                "DATABASE_URL at a server that accepts them"
            )
        return StorageFault(kind, f"{text}. Nothing can be saved until then.")
    folder = data_folder()
    if kind == "full":
        text = f"The disk holding the data folder {folder} is full: free space on it"
    else:
        text = (
            f"The data folder {folder} is read-only: make it and its database file "
            "writable by the user the app runs as"
        )
    return StorageFault(kind, f"{text}. Nothing can be saved until then.")


def min_free_bytes() -> int:
    return getattr(settings, "STORAGE_MIN_FREE_BYTES", DEFAULT_MIN_FREE_BYTES)


def _folder_is_full() -> bool:
    try:
        return shutil.disk_usage(data_folder()).free < min_free_bytes()
    except OSError:
        return False  # a missing folder is not a full disk; the write probe says more


def _folder_full() -> StorageFault:
    folder = data_folder()
    return StorageFault(
        "full",
        f"The disk holding the data folder {folder} is full: free space on it. Nothing "
        "can be saved until then.",
    )


def storage_fault(exc: BaseException | None) -> StorageFault | None:
    """The storage fault behind `exc` (or its causes), or None for any other error."""
    seen = 0
    while exc is not None and seen < 5:
        if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return _describe("read-only")
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return _describe("full")
        if isinstance(exc, DatabaseError) or type(exc).__module__.startswith(
            ("sqlite3", "psycopg")
        ):
            text = str(exc).lower()
            if any(words in text for words in FULL):
                return _describe("full")
            if any(words in text for words in READ_ONLY):
                return _describe("read-only")
            if any(words in text for words in IO_ERROR) and _folder_is_full():
                return _folder_full()
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return None


def check_writable() -> StorageFault | None:
    """Tries a write that changes nothing and is rolled back: None if the database takes
    it, else what is wrong with the storage. Other errors propagate.

    The disk's free space is looked at first: on SQLite the rolled-back write never
    reaches the -wal file, so it succeeds on a full disk that refuses every real save."""
    if _folder_is_full():
        return _folder_full()
    table = connection.ops.quote_name("django_migrations")
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET app = app WHERE id = (SELECT MIN(id) FROM {table})"
                )
            transaction.set_rollback(True)
    except (DatabaseError, OSError) as exc:
        fault = storage_fault(exc)
        if fault is None:
            raise
        return fault
    return None
