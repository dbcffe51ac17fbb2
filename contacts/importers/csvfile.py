"""Reading an uploaded CSV: size and row caps, the encoding, the delimiter and the header,
shared by every importer."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.conf import settings

# Limits and file reading ------------------------------------------------------------

DEFAULT_MAX_UPLOAD_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 20_000
# How far down LinkedIn's notes may push the header row.
HEADER_SEARCH_RECORDS = 30
# Rows per INSERT/UPDATE: small enough for SQLite's variable limit, large enough that
# 10,000 rows take a few dozen queries.
BATCH_SIZE = 500


class ImportFileError(Exception):
    """The file as a whole cannot be imported; str(error) is the message for the user."""


def max_upload_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


def max_rows() -> int:
    return getattr(settings, "IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def read_upload(upload) -> bytes:
    """The bytes of an uploaded file, refusing one over the size cap before reading it."""
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise ImportFileError(
            f"The file is {_megabytes(upload.size)}; the limit is {_megabytes(limit)}. "
            "Split it into smaller files and import them one after the other."
        )
    raw = upload.read(limit + 1)
    if len(raw) > limit:
        raise ImportFileError(
            f"The file is larger than the limit of {_megabytes(limit)}. "
            "Split it into smaller files and import them one after the other."
        )
    return raw


def decode_text(raw: bytes, *, expected: str) -> str:
    """Text of a CSV file in whichever encoding spreadsheets and LinkedIn write."""
    if not raw.strip():
        raise ImportFileError(f"The file is empty. Expected {expected}.")
    if raw.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            f"This looks like an Excel or zip file, not CSV. Expected {expected}; in a "
            "spreadsheet, use “Save as” → “CSV (comma separated)”."
        )
    if raw.startswith(b"\xef\xbb\xbf"):
        text = raw[3:].decode("utf-8", errors="replace")
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = raw.decode("utf-16", errors="replace")
    elif raw[1:200:2].count(0) > 40 and raw[0:200:2].count(0) == 0:
        text = raw.decode("utf-16-le", errors="replace")  # UTF-16 without a BOM
    elif raw[0:200:2].count(0) > 40 and raw[1:200:2].count(0) == 0:
        text = raw.decode("utf-16-be", errors="replace")
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            # Excel on Windows writes cp1252; every byte decodes as Latin-1 as a last resort.
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError:
                text = raw.decode("latin-1")
    # A text file has no NUL and hardly any other control characters; images, PDFs and
    # archives have plenty.
    sample = text[:4000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    if "\x00" in sample or controls > len(sample) // 100 + 2:
        raise ImportFileError(f"This is not a CSV text file. Expected {expected}.")
    if "\x00" in text:
        # Anywhere in the file: PostgreSQL stores no NUL in text, and no CSV needs one.
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportFileError(
            f"Line {line} of the file holds a NUL character, which a CSV text file never "
            f"does. Expected {expected}."
        )
    return text


@dataclass
class Record:
    """One CSV record and the line of the file it starts on."""

    line: int
    cells: list[str]

    @property
    def is_blank(self) -> bool:
        return not any(cell.strip() for cell in self.cells)


def read_records(text: str, *, delimiter: str = ",") -> list[Record]:
    """All records of a CSV text: quoted commas, quoted newlines and CRLF handled."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[Record] = []
    start = 1
    try:
        for cells in reader:
            records.append(Record(line=start, cells=cells))
            start = reader.line_num + 1
            if len(records) > max_rows() + HEADER_SEARCH_RECORDS + 1:
                break  # the row cap below reports it; no need to read the rest
    except csv.Error as error:
        raise ImportFileError(
            f"Line {reader.line_num} could not be read as CSV ({error}). "
            "Check for an unclosed quote."
        ) from None
    return records


def normalise_header(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").strip().lower().replace("_", " ").split())


def check_row_cap(data: list[Record]) -> None:
    limit = max_rows()
    if len(data) > limit:
        raise ImportFileError(
            f"The file has more than {limit:,} rows; the limit is {limit:,}. "
            "Split it into smaller files and import them one after the other."
        )


def guess_delimiter(text: str) -> str:
    """The separator of the first line: spreadsheets in many locales write ; or tabs."""
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","
