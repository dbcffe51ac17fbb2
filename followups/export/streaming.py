"""Downloads written while they are sent: CSV rows and JSON records go out in chunks, so
a large account's export costs the same memory as a small one's and starts at once.

Formula safety (a text cell starting with `=`, `+`, `-`, `@`, tab or CR is neutralised
with a leading apostrophe, as spreadsheets expect) is applied to every CSV cell here.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

from django.http import StreamingHttpResponse

__all__ = ["csv_chunks", "formula_safe", "streaming_attachment"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows per chunk: large enough that the per-chunk overhead (one write to the socket) is
# nothing, small enough that a chunk is a few hundred kilobytes at most.
ROWS_PER_CHUNK = 500


def formula_safe(cell: object) -> object:
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


class _Lines:
    """A file-like object csv.writer writes to; the rows are collected, then taken."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


def csv_chunks(header: list[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The CSV text of `header` and `rows`, in chunks of ROWS_PER_CHUNK rows."""
    out = _Lines()
    writer = csv.writer(out)
    writer.writerow(header)
    for n, row in enumerate(rows, start=1):
        writer.writerow([formula_safe(cell) for cell in row])
        if n % ROWS_PER_CHUNK == 0:
            yield out.take()
    yield out.take()


def streaming_attachment(
    chunks: Iterable[str], content_type: str, filename: str
) -> StreamingHttpResponse:
    response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
