"""Reading LinkedIn's data archive (a zip) safely: caps on its size, its number of files
and each file's unpacked size, no path that leaves the archive, no archive inside it.

Nothing is extracted to disk: the CSVs the importer needs are read into memory, each
read stopped at its cap whatever the zip's headers claim (a zip bomb lies there).
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass

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


@dataclass
class ArchiveFiles:
    """The wanted CSVs of an archive, by kind, as bytes; and the other files' count."""

    files: dict[str, bytes]
    names: dict[str, str]  # kind → path inside the archive
    ignored: int = 0


def _unsafe_path(name: str) -> bool:
    if name.startswith(("/", "\\")) or "\\" in name or re.match(r"^[A-Za-z]:", name):
        return True
    return ".." in name.split("/")


def _kind_of(name: str) -> str | None:
    base = posixpath.basename(name).lower()
    # LinkedIn splits long files: "Job Applications_1.csv", "messages_2.csv" are parts.
    base = re.sub(r"_\d+(\.csv)$", r"\1", base)
    return WANTED.get(base)


def read_archive(raw: bytes) -> ArchiveFiles:
    """The CSVs the importer reads from a LinkedIn archive; ImportFileError for a file
    that is not a zip, too big, too many files, a path that escapes, or a nested archive."""
    if len(raw) > max_archive_bytes():
        raise ImportFileError(
            f"The archive is larger than {max_archive_bytes() // (1024 * 1024)} MB. "
            "Upload its CSV files one by one instead (Connections.csv, messages.csv…)."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportFileError(
            "This looks like an Excel or zip file, but it cannot be opened. Upload "
            "LinkedIn's archive as you downloaded it, or a CSV file."
        ) from None
    if any(m.filename == "[Content_Types].xml" for m in members):
        raise ImportFileError(
            "This looks like an Excel or zip file, not CSV or LinkedIn's archive: in a "
            "spreadsheet, use “Save as” → “CSV UTF-8 (comma delimited)”."
        )
    if len(members) > _limit("IMPORT_MAX_ARCHIVE_FILES", DEFAULT_MAX_ARCHIVE_FILES):
        raise ImportFileError(
            f"The archive holds {len(members)} files; LinkedIn's holds far fewer. "
            "Upload LinkedIn's own archive, or its CSV files one by one."
        )
    member_cap = _limit("IMPORT_MAX_ARCHIVE_MEMBER_BYTES", DEFAULT_MAX_MEMBER_BYTES)
    total_cap = _limit("IMPORT_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES)
    files: dict[str, bytes] = {}
    names: dict[str, str] = {}
    ignored = unpacked = 0
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
            ignored += 1
            continue
        try:
            with archive.open(member) as stream:
                data = stream.read(member_cap + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, ValueError):
            raise ImportFileError(
                f"{member.filename} in the archive cannot be read (damaged or encrypted)."
            ) from None
        unpacked += len(data)
        if len(data) > member_cap or unpacked > total_cap:
            raise ImportFileError(
                f"{member.filename} unpacks to more than the import allows; upload it on "
                "its own, split into smaller files."
            )
        if is_zip(data):
            raise ImportFileError(
                f"{member.filename} in the archive is itself an archive; nothing was imported."
            )
        # Parts of one file ("messages_1.csv", "messages_2.csv") are read as one: the
        # header of every part after the first is dropped by the reader as a repeat.
        if kind in files:
            files[kind] += b"\n" + data.removeprefix(b"\xef\xbb\xbf")
        else:
            files[kind], names[kind] = data, member.filename
    if not files:
        raise ImportFileError(
            "The archive holds none of Connections.csv, messages.csv, Invitations.csv, "
            "Jobs/Job Applications.csv or Jobs/Saved Jobs.csv. Is it LinkedIn's data archive?"
        )
    return ArchiveFiles(files=files, names=names, ignored=ignored)
