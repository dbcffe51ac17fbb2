"""Upload limits checked before a file is parsed (issue 13, item 3).

An XLSX file is a zip: 2 MB of it can hold gigabytes of cells (20,000 rows x 50 KB took
351 s and 6 GB to read). Every spreadsheet upload is checked, in this order and each with
a message naming the limit: the file's size, the uncompressed size its zip directory
declares (read without inflating anything), then, while streaming the rows, the number
of rows and the length of each cell. Nothing is loaded whole.
"""

from __future__ import annotations

import csv
import io
import zipfile

import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from import_export.formats import base_formats
from import_export.forms import ImportForm

MB = 1024 * 1024
# Excel's own limit for one cell; nothing a person types into a CRM is longer.
DEFAULT_MAX_CELL_CHARS = 32_767


class UploadLimitExceeded(ValueError):
    """The file goes past one of the limits; str(error) says which, for the user."""


def max_upload_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", 5 * MB)


def max_uncompressed_bytes() -> int:
    return getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", 50 * MB)


def max_rows() -> int:
    return getattr(settings, "IMPORT_MAX_ROWS", 20_000)


def max_cell_chars() -> int:
    return getattr(settings, "IMPORT_MAX_CELL_CHARS", DEFAULT_MAX_CELL_CHARS)


def check_size(data: bytes | str) -> None:
    size = len(data.encode() if isinstance(data, str) else data)
    if size > max_upload_bytes():
        raise UploadLimitExceeded(
            f"The file is {size / MB:.1f} MB; the limit is {max_upload_bytes() // MB} MB."
        )


def check_zip(data: bytes) -> None:
    """The uncompressed size the zip declares, from its central directory alone."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            declared = sum(member.file_size for member in archive.infolist())
    except zipfile.BadZipFile:
        raise UploadLimitExceeded("This is not an Excel (.xlsx) file.") from None
    if declared > max_uncompressed_bytes():
        raise UploadLimitExceeded(
            f"The spreadsheet unpacks to {declared / MB:.0f} MB; the limit is "
            f"{max_uncompressed_bytes() // MB} MB uncompressed."
        )


class _RowCounter:
    def __init__(self) -> None:
        self.rows = 0
        self.rows_limit = max_rows()
        self.cell_limit = max_cell_chars()

    def check(self, values: list) -> None:
        self.rows += 1
        if self.rows > self.rows_limit + 1:  # + the header line
            raise UploadLimitExceeded(
                f"The file has more than {self.rows_limit:,} rows; split it into smaller files."
            )
        for value in values:
            if isinstance(value, str) and len(value) > self.cell_limit:
                raise UploadLimitExceeded(
                    f"Row {self.rows} has a cell of {len(value):,} characters; the limit is "
                    f"{self.cell_limit:,}."
                )


class LimitedImportForm(ImportForm):
    """django-import-export's import form, refusing a file over the size limit from the
    size the upload declares: the admin would otherwise read it whole into memory
    (ImportMixin.write_to_tmp_storage) before any format sees it."""

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload is not None and upload.size is not None and upload.size > max_upload_bytes():
            raise ValidationError(
                f"The file is {upload.size / MB:.1f} MB; the limit is "
                f"{max_upload_bytes() // MB} MB."
            )
        return upload


class LimitedXLSX(base_formats.XLSX):
    """django-import-export's XLSX format with the limits above, streaming the sheet."""

    def create_dataset(self, in_stream):
        import openpyxl

        check_size(in_stream)
        check_zip(in_stream)
        book = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
        try:
            rows = book.active.iter_rows(values_only=True)
            counter = _RowCounter()
            dataset = tablib.Dataset()
            header = next(rows, None)
            if header is None:
                return dataset
            counter.check(list(header))
            dataset.headers = list(header)
            for row in rows:
                values = list(row)
                counter.check(values)
                if any(value is not None for value in values):
                    dataset.append(values)
            return dataset
        finally:
            book.close()


class LimitedCSV(base_formats.CSV):
    """django-import-export's CSV format with the same limits, counted while reading."""

    def create_dataset(self, in_stream):
        check_size(in_stream)
        text = (
            in_stream.decode(self.encoding or "utf-8")
            if isinstance(in_stream, bytes)
            else in_stream
        )
        counter = _RowCounter()
        previous = csv.field_size_limit()
        csv.field_size_limit(max(max_cell_chars() * 4, 131072))  # then our own, clearer check
        try:
            for record in csv.reader(io.StringIO(text)):
                counter.check(record)
        except csv.Error as error:
            raise UploadLimitExceeded(f"This CSV file cannot be read: {error}.") from None
        finally:
            csv.field_size_limit(previous)
        return super().create_dataset(in_stream)
