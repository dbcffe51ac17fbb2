"""Reading an uploaded CSV: size and row caps, the encoding, the delimiter and the header,
shared by every importer."""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import charset_normalizer
from django.conf import settings

# Limits and file reading ------------------------------------------------------------

DEFAULT_MAX_UPLOAD_BYTES = 5 * 1024 * 1024
DEFAULT_MAX_ROWS = 20_000
# Excel's own limit for one cell; nothing a person types into a CRM is longer.
DEFAULT_MAX_CELL_CHARS = 32_767
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


def max_cell_chars() -> int:
    # The admin's import checks the same setting (crm/security/uploads.py).
    return getattr(settings, "IMPORT_MAX_CELL_CHARS", DEFAULT_MAX_CELL_CHARS)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def read_upload(upload, limit: int | None = None) -> bytes:
    """The bytes of an uploaded file, refusing one over the size cap before reading it."""
    limit = limit or max_upload_bytes()
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


# Encodings --------------------------------------------------------------------------

# What people see in the preview for the codecs spreadsheets write.
ENCODING_LABELS = {
    "utf_8": "UTF-8",
    "utf_8_sig": "UTF-8 with BOM",
    "utf_16": "UTF-16",
    "utf_16_le": "UTF-16 (little-endian)",
    "utf_16_be": "UTF-16 (big-endian)",
    "cp1252": "Windows-1252 (Western European)",
    "mac_roman": "Mac Roman",
    "cp1250": "Windows-1250 (Central European)",
    "cp1251": "Windows-1251 (Cyrillic)",
}
# 8-bit encodings tried on every non-UTF file, most likely first: Excel on Windows writes
# cp1252, Excel and Numbers on a Mac write Mac Roman. charset-normalizer adds its own
# guesses behind them (Central European, Cyrillic…).
PREFERRED_8BIT = ("cp1252", "mac_roman")
RESAVE_AS_UTF8 = (
    "Open it in your spreadsheet and save it again as “CSV UTF-8 (comma delimited)” "
    "(Excel: File → Save As; Numbers: File → Export To → CSV, Text Encoding “Unicode "
    "(UTF-8)”; Google Sheets: File → Download → CSV), then upload that file."
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Apostrophes and the middle dot do sit between letters in real names (O’Brien, l·l).
_BETWEEN_LETTERS_OK = "\u2019\u2018\u02bc\u00b7"


def badness(text: str) -> int:
    """How garbled `text` looks: replacement and control characters, and non-ASCII
    characters that no name or title has where they are (a symbol glued to a letter, a
    capital right after a small letter: "JosŽ Nœ–ez" is Mac Roman read as Windows-1252;
    another script's letter inside a Latin word)."""
    score = 0
    for match in _NON_ASCII.finditer(text):
        ch, at = match.group(), match.start()
        before = text[at - 1] if at else " "
        after = text[at + 1] if at + 1 < len(text) else " "
        category = unicodedata.category(ch)
        if ch == "\ufffd" or category[0] == "C":
            score += 1
        elif category[0] != "L":
            if ch not in _BETWEEN_LETTERS_OK and (before.isalpha() or after.isalpha()):
                score += 1
        elif category == "Lu" and before.isalpha() and before.islower():
            score += 1
        elif (before.isascii() and before.isalpha()) or (after.isascii() and after.isalpha()):
            # A letter of another script inside a Latin word: "Seﾃｱor" is UTF-8 read as
            # Shift-JIS.
            score += not unicodedata.name(ch, "").startswith("LATIN")
    return score + len(_ASCII_CONTROL.findall(text))


@dataclass
class DecodedText:
    text: str
    encoding: str  # a Python codec name

    @property
    def encoding_label(self) -> str:
        return ENCODING_LABELS.get(self.encoding, self.encoding.replace("_", "-").upper())


def _refuse_binary(raw: bytes, expected: str) -> None:
    if not raw.strip():
        raise ImportFileError(f"The file is empty. Expected {expected}.")
    if raw.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            f"This looks like an Excel or zip file, not CSV. Expected {expected}; in a "
            "spreadsheet, use “Save as” → “CSV (comma separated)”."
        )


def _refuse_binary_bytes(raw: bytes, expected: str) -> None:
    # A text file has no NUL and hardly any other control characters; images, PDFs and
    # archives have plenty.
    sample = raw[:4000]
    controls = len(_ASCII_CONTROL.findall(sample.decode("latin-1")))
    if b"\x00" in sample or controls > len(sample) // 100 + 2:
        raise ImportFileError(f"This is not a CSV text file. Expected {expected}.")


def _unicode_decoding(raw: bytes) -> DecodedText | None:
    """UTF-8 or UTF-16, which say so themselves (a BOM, valid UTF-8, NULs in every other
    byte); None for an 8-bit file."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return DecodedText(raw[3:].decode("utf-8", errors="replace"), "utf_8_sig")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return DecodedText(raw.decode("utf-16", errors="replace"), "utf_16")
    if raw[1:200:2].count(0) > 40 and raw[0:200:2].count(0) == 0:
        return DecodedText(raw.decode("utf-16-le", errors="replace"), "utf_16_le")
    if raw[0:200:2].count(0) > 40 and raw[1:200:2].count(0) == 0:
        return DecodedText(raw.decode("utf-16-be", errors="replace"), "utf_16_be")
    try:
        return DecodedText(raw.decode("utf-8"), "utf_8")
    except UnicodeDecodeError:
        return None


def _eight_bit_decoding(raw: bytes, expected: str) -> DecodedText:
    """The 8-bit encoding whose text looks least garbled; refused when even that one looks
    garbled, rather than importing names nobody can read."""
    guesses = [match.encoding for match in charset_normalizer.from_bytes(raw)]
    candidates = list(dict.fromkeys([*PREFERRED_8BIT, *guesses[:5]]))
    best: tuple[int, int, DecodedText] | None = None
    for rank, encoding in enumerate(candidates):
        if encoding.startswith("utf"):
            continue
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        # charset-normalizer names Mac Roman's near-twins (mac_iceland…) first at times;
        # for the letters of names they are the same, and Mac Roman is what Macs write.
        score = (badness(text), rank)
        if best is None or score < best[:2]:
            best = (*score, DecodedText(text, encoding))
    # A real name list may hold an odd symbol (an en dash in "Müller–Lüdenscheidt"); a
    # wrong encoding garbles a good share of every non-ASCII letter.
    if best is None or best[0] > len(_NON_ASCII.findall(best[2].text)) // 20:
        raise ImportFileError(
            "We could not tell which encoding this file is in: every reading of it gives "
            f"garbled letters, so nothing was imported. {RESAVE_AS_UTF8}"
        )
    return best[2]


def decode_file(raw: bytes, *, expected: str) -> DecodedText:
    """Text of a CSV file in whichever encoding spreadsheets and LinkedIn write, and which
    one it was: UTF-8 (BOM or not), UTF-16, or the 8-bit encoding that reads cleanly."""
    _refuse_binary(raw, expected)
    decoded = _unicode_decoding(raw)
    if decoded is None:
        _refuse_binary_bytes(raw, expected)
        decoded = _eight_bit_decoding(raw, expected)
    # A text file has no NUL and hardly any other control characters; images, PDFs and
    # archives have plenty.
    sample = decoded.text[:4000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    if "\x00" in sample or controls > len(sample) // 100 + 2:
        raise ImportFileError(f"This is not a CSV text file. Expected {expected}.")
    if decoded.encoding.startswith("utf_16") and "\ufffd" in decoded.text:
        raise ImportFileError(
            f"Parts of this UTF-16 file cannot be read, so nothing was imported. {RESAVE_AS_UTF8}"
        )
    if "\x00" in decoded.text:
        # Anywhere in the file: PostgreSQL stores no NUL in text, and no CSV needs one.
        text = decoded.text
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise ImportFileError(
            f"Line {line} of the file holds a NUL character, which a CSV text file never "
            f"does. Expected {expected}."
        )
    return decoded


def decode_text(raw: bytes, *, expected: str) -> str:
    """Text of a CSV file (see decode_file)."""
    return decode_file(raw, expected=expected).text


@dataclass
class Record:
    """One CSV record and the line of the file it starts on."""

    line: int
    cells: list[str]

    @property
    def is_blank(self) -> bool:
        return not any(cell.strip() for cell in self.cells)


def read_records(
    text: str, *, delimiter: str = ",", limit: int | None = None, row_cap: int | None = None
) -> list[Record]:
    """All records of a CSV text: quoted commas, quoted newlines and CRLF handled."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[Record] = []
    start = 1
    cap = row_cap or max_rows()
    try:
        for cells in reader:
            records.append(Record(line=start, cells=cells))
            start = reader.line_num + 1
            if limit is not None and len(records) >= limit:
                break
            if len(records) > cap + HEADER_SEARCH_RECORDS + 1:
                break  # the row cap below reports it; no need to read the rest
    except csv.Error as error:
        raise ImportFileError(_csv_error_message(reader.line_num, error)) from None
    for record in records:
        check_cells(record)
    return records


def _csv_error_message(line: int, error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        # The csv module's own cap (131,072 characters) is above ours: the cell is long.
        return (
            f"Line {line} has a cell longer than {csv.field_size_limit():,} characters; "
            f"the limit is {max_cell_chars():,} characters a cell (or a quote is never "
            "closed). Nothing was imported."
        )
    return f"Line {line} could not be read as CSV ({error}). Check for an unclosed quote."


def check_cells(record: Record) -> None:
    """Refuses a record with a cell over the cell cap: no field of a contact or an
    application is that long, and a file of such cells is a way to exhaust memory."""
    limit = max_cell_chars()
    for cell in record.cells:
        if len(cell) > limit:
            raise ImportFileError(
                f"Line {record.line} has a cell of {len(cell):,} characters; the limit is "
                f"{limit:,} characters a cell. Nothing was imported."
            )


def normalise_header(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").strip().lower().replace("_", " ").split())


def check_row_cap(data: list[Record], row_cap: int | None = None) -> None:
    limit = row_cap or max_rows()
    if len(data) > limit:
        raise ImportFileError(
            f"The file has more than {limit:,} rows; the limit is {limit:,}. "
            "Split it into smaller files and import them one after the other."
        )


def guess_delimiter(text: str) -> str:
    """The separator of the first line: spreadsheets in many locales write ; or tabs."""
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


# The shared reader ------------------------------------------------------------------

DELIMITERS = (",", ";", "\t")
DELIMITER_LABELS = {",": "commas", ";": "semicolons", "\t": "tabs"}


@dataclass
class CsvFile:
    """A CSV file as read: how (encoding, delimiter), its header and its data records."""

    encoding: str
    encoding_label: str
    delimiter: str
    headers: list[str]
    header_line: int
    records: list[Record] = field(default_factory=list)

    @property
    def delimiter_label(self) -> str:
        return DELIMITER_LABELS[self.delimiter]


def _head_records(text: str, delimiter: str, limit: int) -> list[Record]:
    """The first records under `delimiter`, up to a line that cannot be read: the full
    read reports that line, if the header is found above it."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[Record] = []
    start = 1
    try:
        for cells in reader:
            records.append(Record(line=start, cells=cells))
            start = reader.line_num + 1
            if len(records) >= limit:
                break
    except csv.Error:
        pass
    return records


def read_csv(
    raw: bytes,
    *,
    expected: str,
    is_header: Callable[[list[str]], bool],
    search: int = HEADER_SEARCH_RECORDS,
    not_found: str = "",
    row_cap: int | None = None,
) -> CsvFile:
    """Decodes `raw`, finds its delimiter (`,` `;` or tab: German Excel and Numbers write
    `;`, Excel's "Unicode Text" tabs) and the header among the first `search` non-blank records by
    `is_header` (normalised names), and returns the non-blank data records after it.

    The delimiter is the one under which a header line appears; LinkedIn's note lines
    above the header hold commas of their own, so counting on the first line misleads.
    """
    decoded = decode_file(raw, expected=expected)
    text = decoded.text
    head = text[:20_000]
    order = sorted(DELIMITERS, key=lambda d: -head.count(d))
    for delimiter in order:
        records = _head_records(text, delimiter, search + 50)
        nonblank = [(i, r) for i, r in enumerate(records) if not r.is_blank][:search]
        index = next(
            (i for i, r in nonblank if is_header([normalise_header(c) for c in r.cells])), None
        )
        if index is not None:
            break
    else:
        raise ImportFileError(not_found or f"No header line found. Expected {expected}.")
    records = read_records(text, delimiter=delimiter, row_cap=row_cap)
    header = records[index]
    data = [r for r in records[index + 1 :] if not r.is_blank]
    check_row_cap(data, row_cap)
    return CsvFile(
        encoding=decoded.encoding,
        encoding_label=decoded.encoding_label,
        delimiter=delimiter,
        headers=[cell.strip() for cell in header.cells],
        header_line=header.line,
        records=data,
    )


# Streaming a large CSV ----------------------------------------------------------------

# Enough of the file's start to tell its encoding, its delimiter and its header.
HEAD_BYTES = 256 * 1024


class _Prefixed(io.RawIOBase):
    """`head` (already read, to sniff the file) and then the rest of `stream`."""

    def __init__(self, head: bytes, stream: BinaryIO) -> None:
        self._head = memoryview(head)
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _sniff_encoding(head: bytes, complete: bool, expected: str) -> DecodedText:
    """The encoding of a file from its first HEAD_BYTES (all of it when `complete`), and
    the text of that head; the same choices as decode_file."""
    _refuse_binary(head, expected)
    encoding = ""
    if head.startswith(b"\xef\xbb\xbf"):
        encoding = "utf_8_sig"
    elif head.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf_16"
    elif head[1:200:2].count(0) > 40 and head[0:200:2].count(0) == 0:
        encoding = "utf_16_le"
    elif head[0:200:2].count(0) > 40 and head[1:200:2].count(0) == 0:
        encoding = "utf_16_be"
    if encoding:
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        return DecodedText(decoder.decode(head, final=complete), encoding)
    try:
        text = codecs.getincrementaldecoder("utf_8")().decode(head, final=complete)
        return DecodedText(text, "utf_8")
    except UnicodeDecodeError:
        _refuse_binary_bytes(head, expected)
        return _eight_bit_decoding(head, expected)


@dataclass
class CsvStream:
    """A CSV file read as it streams: how (encoding, delimiter), its header, and its data
    records one at a time (`records()`, once). Memory stays that of one record."""

    encoding: str
    encoding_label: str
    delimiter: str
    headers: list[str]
    header_line: int
    _records: Iterator[Record]

    @property
    def delimiter_label(self) -> str:
        return DELIMITER_LABELS[self.delimiter]

    def records(self) -> Iterator[Record]:
        return self._records


def stream_csv(
    stream: BinaryIO,
    *,
    expected: str,
    is_header: Callable[[list[str]], bool],
    search: int = HEADER_SEARCH_RECORDS,
    not_found: str = "",
    row_cap: int | None = None,
) -> CsvStream:
    """read_csv for a file too large to hold: the encoding, delimiter and header come
    from its first HEAD_BYTES, then the records are decoded and parsed as they are read,
    with the same checks (row cap, cell cap, NUL, undecodable bytes, bad quoting)."""
    head = stream.read(HEAD_BYTES)
    complete = len(head) < HEAD_BYTES
    decoded = _sniff_encoding(head, complete, expected)
    sample = decoded.text[:4000]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    if "\x00" in sample or controls > len(sample) // 100 + 2:
        raise ImportFileError(f"This is not a CSV text file. Expected {expected}.")
    order = sorted(DELIMITERS, key=lambda d: -decoded.text[:20_000].count(d))
    for delimiter in order:
        found = _head_records(decoded.text, delimiter, search + 50)
        nonblank = [(i, r) for i, r in enumerate(found) if not r.is_blank][:search]
        index = next(
            (i for i, r in nonblank if is_header([normalise_header(c) for c in r.cells])), None
        )
        if index is not None:
            break
    else:
        raise ImportFileError(not_found or f"No header line found. Expected {expected}.")
    header = found[index]
    text = io.TextIOWrapper(
        io.BufferedReader(_Prefixed(head, stream)),
        encoding=decoded.encoding,
        errors="strict",
        newline="",
    )
    reader = csv.reader(text, delimiter=delimiter)
    label = decoded.encoding_label

    def records() -> Iterator[Record]:
        start, seen, data = 1, 0, 0
        cap = row_cap or max_rows()
        try:
            for cells in reader:
                record = Record(line=start, cells=cells)
                start = reader.line_num + 1
                seen += 1
                if seen <= index + 1 or record.is_blank:
                    continue  # the notes above the header, the header, blank lines
                data += 1
                if data > cap:
                    raise ImportFileError(
                        f"The file has more than {cap:,} rows; the limit is {cap:,}. "
                        "Split it into smaller files and import them one after the other."
                    )
                check_cells(record)
                yield record
        except csv.Error as error:
            raise ImportFileError(_csv_error_message(reader.line_num, error)) from None
        except UnicodeDecodeError:
            raise ImportFileError(
                f"Line {reader.line_num + 1} of the file cannot be read as {label}, the "
                f"encoding its first lines are in, so nothing was imported. {RESAVE_AS_UTF8}"
            ) from None

    return CsvStream(
        encoding=decoded.encoding,
        encoding_label=label,
        delimiter=delimiter,
        headers=[cell.strip() for cell in header.cells],
        header_line=header.line,
        _records=records(),
    )
