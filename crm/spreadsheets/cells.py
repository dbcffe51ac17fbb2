"""Formula-safe cells (OWASP "CSV injection"): a text cell that a spreadsheet would run as
a formula gets a leading apostrophe, which every spreadsheet shows as plain text.

Every export goes through `safe_cell`: django-import-export's resources call it from
`OwnedResource.export_resource` (admin CSV/XLSX and the contacts CSV), and the app's own
CSV writers call `csv_text`/`safe_row`. django-import-export's own setting
(IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT) only strips a leading `=`, so it is not used.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from typing import Any

# What starts a formula or a DDE call in Excel, LibreOffice and Google Sheets; tab and CR
# because some of them skip leading whitespace before looking for one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A number written as text ("-3", "+4.5") is no formula: it stays as the number it is.
_PLAIN_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def safe_cell(value: Any) -> Any:
    """`value` as it may go into a spreadsheet cell: text that would start a formula is
    prefixed with `'`; numbers, dates, booleans and None are returned unchanged."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    if _PLAIN_NUMBER.fullmatch(value):
        return value
    return "'" + value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]


def csv_text(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """A CSV document (CRLF, as spreadsheets write it) of formula-safe cells."""
    return "".join(iter_csv(header, rows))


# Rows written per piece a streamed download sends (a few hundred KB at most).
CSV_ROWS_PER_PIECE = 500


def iter_csv(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> Iterator[str]:
    """`csv_text` in pieces of CSV_ROWS_PER_PIECE rows, for a download that streams: the
    document is never whole in memory."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(safe_row(header))
    for n, row in enumerate(rows, start=1):
        writer.writerow(safe_row("" if value is None else value for value in row))
        if n % CSV_ROWS_PER_PIECE == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def unescape_cell(value: Any) -> Any:
    """The text `safe_cell` protected, as read back from one of our exports: importing an
    export gives the stored value, not one with an apostrophe more each round trip."""
    if isinstance(value, str) and value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value
