"""Spreadsheet output: the one function every CSV or XLSX cell the app writes goes
through, so no cell opens as a formula in LibreOffice, Excel or Google Sheets."""

from crm.spreadsheets.cells import (
    FORMULA_STARTS,
    csv_text,
    iter_csv,
    safe_cell,
    safe_row,
    unescape_cell,
)

__all__ = ["FORMULA_STARTS", "csv_text", "iter_csv", "safe_cell", "safe_row", "unescape_cell"]
