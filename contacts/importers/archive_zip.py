"""Reading LinkedIn's data archive (a zip) safely: caps on its size, its number of files
and each file's unpacked size, no path that leaves the archive, no archive inside it.

Nothing is extracted to disk: the directory is checked first (sizes it declares, paths,
file count), then each CSV the importer needs is inflated as it is read, each read
stopped at its cap whatever the zip's headers claim (a zip bomb lies there).
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

from django.conf import settings

from contacts.importers.csvfile import ImportFileError

ZIP_MAGIC = b"PK\x03\x04"
DEFAULT_MAX_ARCHIVE_BYTES = 100 * 1024 * 1024
DEFAULT_MAX_ARCHIVE_FILES = 500
DEFAULT_MAX_MEMBER_BYTES = 100 * 1024 * 1024
DEFAULT_MAX_UNPACKED_BYTES = 300 * 1024 * 1024
_ARCHIVE_NAMES = re.compile(r"\.(zip|jar|gz|tgz|tar|bz2|xz|7z|rar)$", re.IGNORECASE)

# The CSVs of the archive the importer reads, by lower-case file name (folders vary:
# "Jobs/Job Applications.csv", or at the top in older archives).
WANTED = {
    "connections.csv": "connections",
    "messages.csv": "messages",
    "invitations.csv": "invitations",
    "job applications.csv": "job_applications",
    "saved jobs.csv": "saved_jobs",
}


def max_archive_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_ARCHIVE_BYTES", DEFAULT_MAX_ARCHIVE_BYTES)


def _limit(name: str, default: int) -> int:
    return getattr(settings, name, default)


def is_zip(raw: bytes) -> bool:
    return raw.startswith(ZIP_MAGIC)


Source = bytes | Path  # an upload in memory, or a file on disk (the command, staging)


@contextlib.contextmanager
def open_source(source: Source) -> Iterator[BinaryIO]:
    if isinstance(source, bytes):
        yield io.BytesIO(source)
    else:
        with open(source, "rb") as handle:
            yield handle


def source_head(source: Source, size: int = 4) -> bytes:
    with open_source(source) as handle:
        return handle.read(size)


def _unsafe_path(name: str) -> bool:
    if name.startswith(("/", "\\")) or "\\" in name or re.match(r"^[A-Za-z]:", name):
        return True
    return ".." in name.split("/")


def _kind_of(name: str) -> str | None:
    base = posixpath.basename(name).lower()
    # LinkedIn splits long files: "Job Applications_1.csv", "messages_2.csv" are parts.
    base = re.sub(r"_\d+(\.csv)$", r"\1", base)
    return WANTED.get(base)


@dataclass
class ArchiveIndex:
    """The wanted CSVs of an archive, by kind: the members holding each (parts of a split
    file in order), and how many other files it holds. Nothing read yet."""

    parts: dict[str, list[zipfile.ZipInfo]]
    names: dict[str, str]  # kind → path of its first part inside the archive
    ignored: int = 0


def _open_zip(handle: BinaryIO) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    try:
        archive = zipfile.ZipFile(handle)
        return archive, archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError(
            "This looks like an Excel or zip file, but it cannot be opened. Upload "
            "LinkedIn's archive as you downloaded it, or a CSV file."
        ) from None


def index_archive(members: list[zipfile.ZipInfo]) -> ArchiveIndex:
    """Checks the archive's directory (file count, paths, nested archives, the sizes it
    declares) before a byte is inflated; ImportFileError says which check failed."""
    if any(m.filename == "[Content_Types].xml" for m in members):
        raise ImportFileError(
            "This looks like an Excel or zip file, not CSV or LinkedIn's archive: in a "
            "spreadsheet, use “Save as” → “CSV UTF-8 (comma delimited)”."
        )
    most = _limit("IMPORT_MAX_ARCHIVE_FILES", DEFAULT_MAX_ARCHIVE_FILES)
    if len(members) > most:
        raise ImportFileError(
            f"The archive holds {len(members)} files; the limit is {most:,}, and "
            "LinkedIn's holds far fewer. "
            "Upload LinkedIn's own archive, or its CSV files one by one."
        )
    member_cap = _limit("IMPORT_MAX_ARCHIVE_MEMBER_BYTES", DEFAULT_MAX_MEMBER_BYTES)
    total_cap = _limit("IMPORT_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES)
    index = ArchiveIndex(parts={}, names={})
    declared = 0
    for member in members:
        if _unsafe_path(member.filename):
            raise ImportFileError(
                f"The archive holds a file with an unsafe path ({member.filename!r}); "
                "nothing was imported."
            )
        if member.is_dir():
            continue
        if _ARCHIVE_NAMES.search(member.filename):
            raise ImportFileError(
                f"The archive holds another archive ({member.filename}); LinkedIn's does not. "
                "Upload LinkedIn's own archive, or its CSV files one by one."
            )
        kind = _kind_of(member.filename)
        if kind is None:
            index.ignored += 1
            continue
        declared += member.file_size
        if member.file_size > member_cap or declared > total_cap:
            raise _too_big(member.filename, whole=member.file_size <= member_cap)
        index.parts.setdefault(kind, []).append(member)
        index.names.setdefault(kind, member.filename)
    if not index.parts:
        raise ImportFileError(
            "The archive holds none of Connections.csv, messages.csv, Invitations.csv, "
            "Jobs/Job Applications.csv or Jobs/Saved Jobs.csv. Is it LinkedIn's data archive?"
        )
    return index


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _too_big(name: str, *, whole: bool = False) -> ImportFileError:
    if whole:
        limit = _limit("IMPORT_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES)
        where = f"the limit for all the CSVs of the archive together is {_mb(limit)}"
    else:
        limit = _limit("IMPORT_MAX_ARCHIVE_MEMBER_BYTES", DEFAULT_MAX_MEMBER_BYTES)
        where = f"the limit for one file of the archive is {_mb(limit)}"
    return ImportFileError(
        f"{name} unpacks to more than the import allows: {where}. Upload it on its own, "
        "split into smaller files."
    )


class _MemberParts(io.RawIOBase):
    """The parts of one CSV of the archive as one binary stream, inflated as it is read:
    each part stopped at the member cap whatever its header claims (zipfile also stops
    at the declared size and then checks the CRC), a part that is itself a zip refused,
    and the BOM of every part after the first dropped (its header line is a repeat the
    reader skips)."""

    def __init__(self, archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo]) -> None:
        self._archive = archive
        self._parts = list(parts)
        self._current: BinaryIO | None = None
        self._name = ""
        self._read = 0
        self._pending = b""
        self._cap = _limit("IMPORT_MAX_ARCHIVE_MEMBER_BYTES", DEFAULT_MAX_MEMBER_BYTES)

    def readable(self) -> bool:
        return True

    def _next_part(self) -> bool:
        if not self._parts:
            return False
        member = self._parts.pop(0)
        first = self._current is None and not self._name
        self._name = member.filename
        try:
            self._current = cast(BinaryIO, self._archive.open(member))
            start = self._current.read(4)
        except _ZIP_ERRORS:
            raise _damaged(member.filename) from None
        if is_zip(start):
            raise ImportFileError(
                f"{member.filename} in the archive is itself an archive; nothing was imported."
            )
        self._read = len(start)
        if not first:
            start = b"\n" + (start[3:] if start.startswith(b"\xef\xbb\xbf") else start)
        self._pending = start
        return True

    def readinto(self, buffer) -> int:
        while True:
            if self._pending:
                size = min(len(buffer), len(self._pending))
                buffer[:size] = self._pending[:size]
                self._pending = self._pending[size:]
                return size
            if self._current is None:
                if not self._next_part():
                    return 0
                continue  # its first bytes are pending
            try:
                data = self._current.read(len(buffer))
            except _ZIP_ERRORS:
                raise _damaged(self._name) from None
            if data:
                self._read += len(data)
                if self._read > self._cap:
                    raise _too_big(self._name)
                buffer[: len(data)] = data
                return len(data)
            self._current.close()
            self._current = None
            if not self._parts:
                return 0


_ZIP_ERRORS = (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, ValueError, EOFError)


def _damaged(name: str) -> ImportFileError:
    return ImportFileError(f"{name} in the archive cannot be read (damaged or encrypted).")


@contextlib.contextmanager
def open_archive(source: Source) -> Iterator[tuple[zipfile.ZipFile, ArchiveIndex]]:
    """The archive, its directory checked (index_archive); ImportFileError for a file
    that is not a zip, is too big, or fails a check."""
    size = len(source) if isinstance(source, bytes) else source.stat().st_size
    if size > max_archive_bytes():
        raise ImportFileError(
            f"The archive is larger than {max_archive_bytes() // (1024 * 1024)} MB. "
            "Upload its CSV files one by one instead (Connections.csv, messages.csv…)."
        )
    with open_source(source) as handle:
        archive, members = _open_zip(handle)
        with archive:
            yield archive, index_archive(members)


def member_stream(archive: zipfile.ZipFile, index: ArchiveIndex, kind: str) -> BinaryIO:
    """The CSV of `kind` (all its parts), inflated as it is read."""
    return cast(BinaryIO, io.BufferedReader(_MemberParts(archive, index.parts[kind])))


@dataclass
class ArchiveFiles:
    """The wanted CSVs of an archive, by kind, as bytes; and the other files' count."""

    files: dict[str, bytes]
    names: dict[str, str]  # kind → path inside the archive
    ignored: int = 0


def read_archive(raw: Source) -> ArchiveFiles:
    """The CSVs the importer reads from a LinkedIn archive, each whole (the importer
    itself streams the large ones: see member_stream); ImportFileError for a file that
    is not a zip, too big, too many files, a path that escapes, or a nested archive."""
    total_cap = _limit("IMPORT_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES)
    files: dict[str, bytes] = {}
    unpacked = 0
    with open_archive(raw) as (archive, index):
        for kind in index.parts:
            with member_stream(archive, index, kind) as stream:
                files[kind] = stream.read()
            unpacked += len(files[kind])
            if unpacked > total_cap:
                raise _too_big(index.names[kind], whole=True)
        return ArchiveFiles(files=files, names=dict(index.names), ignored=index.ignored)
