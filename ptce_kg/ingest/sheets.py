"""Reading spreadsheets: CSV or XLSX tables as headers and rows, with the row numbers a user sees.

Reading never evaluates anything: CSV cells are text, XLSX cells are the values the file stores
(a formula cell gives the value its spreadsheet application last computed, openpyxl ``data_only``),
and a text cell that starts with ``=``, ``+``, ``-`` or ``@`` stays that exact text. Files are
opened read-only; nothing is ever written back. :mod:`ptce_kg.ingest.spreadsheet` turns the rows
into triples.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from ptce_kg.errors import SourceError
from ptce_kg.ingest.mapping import (
    normalise,
)

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
DELIMITERS = (",", ";", "\t", "|")
CellValue = str | int | float | bool | date | datetime | Decimal | None


# --------------------------------------------------------------------------------------------------
# Reading tables
# --------------------------------------------------------------------------------------------------


def column_letter(index: int) -> str:
    """Spreadsheet letter of the 0-based column ``index`` (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


@dataclass
class SheetTable:
    """A table as read: headers and rows with the row numbers a spreadsheet shows."""

    name: str
    headers: list[str]
    rows: list[tuple[int, list[CellValue]]]
    header_row: int = 1
    encoding: str | None = None
    delimiter: str | None = None

    def describe(self) -> str:
        """One line for the user: what was read and how."""
        how = ""
        if self.encoding:
            shown = {"\t": "tab"}.get(self.delimiter or ",", self.delimiter)
            how = f", encoding {self.encoding}, delimiter {shown!r}"
        return f"{self.name}: {len(self.rows)} row(s){how}"


def decode_text(data: bytes) -> tuple[str, str]:
    """Decode CSV bytes: a BOM says UTF-8 or UTF-16; else strict UTF-8; else Windows-1252; else
    Latin-1. Returns the text and the encoding used."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8 (BOM)"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16 (BOM)"
    try:
        return data.decode("utf-8", errors="strict"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252", errors="strict"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def sniff_delimiter(text: str) -> str:
    """The delimiter (``,`` ``;`` tab ``|``) that splits the header record into the most fields."""
    best, best_count = ",", 1
    for delimiter in DELIMITERS:
        try:
            first = next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
        except csv.Error:
            continue
        if len(first) > best_count:
            best, best_count = delimiter, len(first)
    return best


def read_csv(path: Path, *, name: str | None = None, header_row: int = 1) -> SheetTable:
    """Read a CSV file (any common encoding and delimiter; quoted multi-line cells).

    Raises:
        SourceError: unreadable file or broken quoting.
    """
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SourceError(f"cannot read: {e}", path=str(path)) from e
    return read_csv_bytes(data, name=name or path.name, header_row=header_row, source=str(path))


def read_csv_bytes(
    data: bytes, *, name: str, header_row: int = 1, source: str = "CSV"
) -> SheetTable:
    """Read CSV ``data``; see :func:`read_csv`."""
    text, encoding = decode_text(data)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[list[str]] = []
    try:
        records.extend(reader)
    except csv.Error as e:
        raise SourceError(
            f"broken CSV after record {reader.line_num}: {e}",
            path=source,
            line=reader.line_num,
            hint='check the quotes (") of that row',
        ) from e
    table = _table(name, [list[CellValue](r) for r in records], header_row)
    table.encoding, table.delimiter = encoding, delimiter
    return table


def read_xlsx(path: Path, *, sheets: Sequence[tuple[str, int]]) -> list[SheetTable]:
    """Read the named sheets (with their header rows) of an XLSX workbook, read-only.

    Sheets that the workbook does not have are left out; the caller says which ones it needs.

    Raises:
        SourceError: not a readable XLSX file.
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it does not read; they do not matter here
            warnings.simplefilter("ignore", UserWarning)
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, InvalidFileException, KeyError, ValueError, zipfile.BadZipFile) as e:
        raise SourceError(f"not a readable XLSX workbook: {e}", path=str(path),
                          hint="save it as .xlsx (Excel 2007+) or export CSV") from e  # fmt: skip
    try:
        by_name = {normalise(n): n for n in workbook.sheetnames}
        tables = []
        for wanted, header_row in sheets:
            actual = by_name.get(normalise(wanted))
            if actual is None:
                continue
            rows = [list(r) for r in workbook[actual].iter_rows(values_only=True)]
            tables.append(_table(actual, rows, header_row))
        return tables
    finally:
        workbook.close()


def sheet_names(path: Path) -> list[str]:
    """The sheet names of an XLSX workbook."""
    import openpyxl

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return list(workbook.sheetnames)
    finally:
        workbook.close()


def _table(name: str, records: list[list[CellValue]], header_row: int) -> SheetTable:
    header = records[header_row - 1] if len(records) >= header_row else []
    headers = ["" if h is None else re.sub(r"\s+", " ", str(h)).strip() for h in header]
    while headers and not headers[-1]:
        headers.pop()
    rows = []
    for number, record in enumerate(records[header_row:], start=header_row + 1):
        if any(not is_empty(c) for c in record):
            rows.append((number, record))
    return SheetTable(name=name, headers=headers, rows=rows, header_row=header_row)


def is_empty(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: CellValue) -> str:
    """A cell as text: numbers without a useless ``.0``, dates in ISO form, text stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()
