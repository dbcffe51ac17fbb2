"""Limits a restore checks before it parses a backup (issue 13, item 3).

In order, each with a message naming the limit: the uploaded file's size (in the
request, before it is stored), the size a `.gz` backup unpacks to (inflated at most one
byte past the limit), how deeply the JSON nests (counted on the raw bytes, before the
parser recurses), the rows in each section, and the length of every text value (while
the rows are checked). A backup the export page writes is 4 levels deep and stays far
below every other limit: the defaults only stop hostile or broken files.
"""

from __future__ import annotations

import gzip
import io
import re
import zlib

from django.conf import settings

MB = 1024 * 1024
GZIP_MAGIC = b"\x1f\x8b"


class BackupLimitExceeded(ValueError):
    """The file goes past one of the limits; str(error) says which, for the user."""


def max_upload_bytes() -> int:
    return getattr(settings, "BACKUP_MAX_UPLOAD_BYTES", 50 * MB)


def max_uncompressed_bytes() -> int:
    return getattr(settings, "BACKUP_MAX_UNCOMPRESSED_BYTES", 200 * MB)


def max_depth() -> int:
    return getattr(settings, "BACKUP_MAX_DEPTH", 20)


def max_rows() -> int:
    return getattr(settings, "BACKUP_MAX_ROWS", 200_000)


def max_string_chars() -> int:
    return getattr(settings, "BACKUP_MAX_STRING_CHARS", 100_000)


def _mb(size: int) -> str:
    if size < MB:
        return f"{size / 1024:.0f} KB"
    return f"{size / MB:.1f} MB" if size % MB else f"{size // MB} MB"


def check_upload_size(size: int) -> None:
    if size > max_upload_bytes():
        raise BackupLimitExceeded(
            f"The file is {_mb(size)}; the limit for a backup file is {_mb(max_upload_bytes())}."
        )


def decompressed(raw: bytes) -> bytes:
    """The JSON of a plain or gzip-compressed backup, never inflating past the limit."""
    if not raw.startswith(GZIP_MAGIC):
        return raw
    limit = max_uncompressed_bytes()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(raw)) as packed:
            data = packed.read(limit + 1)
    except (OSError, EOFError, zlib.error):
        raise BackupLimitExceeded(
            "This .gz file is damaged: it cannot be unpacked. Download the backup again."
        ) from None
    if len(data) > limit:
        raise BackupLimitExceeded(
            f"The compressed backup unpacks to more than {_mb(limit)}; the limit is "
            f"{_mb(limit)} uncompressed."
        )
    return data


# A JSON string, escapes included, unrolled so a long string costs one pass.
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def check_depth(raw: bytes) -> None:
    """How deeply arrays and objects nest, counted without parsing (the parser recurses,
    and a file nested 100,000 deep would exhaust the stack)."""
    limit = max_depth()
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    depth = 0
    for byte in brackets:
        if byte in b"[{":
            depth += 1
            if depth > limit:
                raise BackupLimitExceeded(
                    f"The file nests lists and objects more than {limit} levels deep; the "
                    f"limit is {limit} (a backup from the export page has 4)."
                )
        else:
            depth -= 1


def check_rows(document: dict, sections: list[str]) -> None:
    limit = max_rows()
    for key in sections:
        items = document.get(key)
        if isinstance(items, list) and len(items) > limit:
            raise BackupLimitExceeded(
                f"The section {key} has {len(items):,} rows; the limit is {limit:,} rows "
                "per section."
            )


def check_string(value: object, where: str) -> str | None:
    """The message for a text value past the limit, or None."""
    limit = max_string_chars()
    if isinstance(value, str) and len(value) > limit:
        return f"{where}: {len(value):,} characters; the limit is {limit:,} per value."
    return None
