"""A table (headers and rows of plain values) as CSV or XLSX bytes.

The page and the download are made from the same rows, so a download holds
exactly what the table shows. Text that a spreadsheet would run as a formula
(starting with =, +, -, @, a tab or a carriage return) is written with a
leading apostrophe in CSV; XLSX is told it is a string.
"""

import csv
import io
from collections.abc import Sequence
from datetime import date

import xlsxwriter

Cell = str | int | float | date | None
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return str(value)


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    """UTF-8 with a byte order mark, so spreadsheet programs read accents and Gaelic right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_cell(header) for header in headers])
    writer.writerows([_csv_cell(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(headers: Sequence[str], rows: Sequence[Sequence[Cell]], *, sheet: str) -> bytes:
    """One sheet: bold headers, dates as dates, numbers as numbers, text as text."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    worksheet = book.add_worksheet(sheet[:31])
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for column, header in enumerate(headers):
        worksheet.write_string(0, column, str(header), bold)
        worksheet.set_column(column, column, max(12, len(str(header)) + 2))
    for row_number, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value is None:
                worksheet.write_blank(row_number, column, None)
            elif isinstance(value, date):
                worksheet.write_datetime(row_number, column, value, day)
            elif isinstance(value, int | float):
                worksheet.write_number(row_number, column, value)
            else:
                worksheet.write_string(row_number, column, str(value))
    worksheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
