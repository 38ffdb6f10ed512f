"""Build data/samples/annuaire.xlsx from the three CSV files of data/samples/csv/.

The workbook holds the same rows as the CSV files, in the sheets PTCE, Membres and Coopérations,
with the cell types a spreadsheet application would give them (years and SIRENs as numbers,
dates as dates), so that both paths of the importer are exercised on the same content. The file
is reproducible: fixed document dates and fixed zip entry times.

Usage: .venv/bin/python data/samples/build_samples.py
"""

from __future__ import annotations

import re
import sys
import zipfile
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook

from ptce_kg.ingest.sheets import read_csv

HERE = Path(__file__).resolve().parent
SHEETS = {"ptce.csv": "PTCE", "membres.csv": "Membres", "cooperations.csv": "Coopérations"}
FIXED = datetime(2026, 1, 1)
STAMP = rb"\g<1>2026-01-01T00:00:00Z"
NUMBER_COLUMNS = {"SIREN", "SIREN de la structure porteuse", "Commune (code INSEE)"}
DATE_COLUMNS = {"Début", "Fin", "Date de création"}


def typed(header: str, text: str) -> object:
    """The value a spreadsheet application would store for ``text`` typed in column ``header``."""
    if header in NUMBER_COLUMNS and re.fullmatch(r"\d+", text):
        return int(text)
    if header in DATE_COLUMNS:
        if re.fullmatch(r"\d{4}", text):
            return int(text)
        match = re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", text)
        if match:
            return datetime(int(match.group(3)), int(match.group(2)), int(match.group(1)))
    return text or None


def write_reproducible(workbook: Workbook, path: Path) -> None:
    """Save ``workbook`` with fixed timestamps (document properties and zip entries)."""
    workbook.properties.created = FIXED
    workbook.properties.modified = FIXED
    workbook.properties.creator = "ptce_kg"
    workbook.save(path)
    with zipfile.ZipFile(path) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries:
            if name == "docProps/core.xml":  # openpyxl stamps the save time over ours
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", STAMP, data)
            target.writestr(
                zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)),
                data,
                compress_type=zipfile.ZIP_DEFLATED,
            )


def build(out: Path) -> None:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for file_name, sheet_name in SHEETS.items():
        table = read_csv(HERE / "csv" / file_name)
        sheet = workbook.create_sheet(sheet_name)
        sheet.append(table.headers)
        for _number, record in table.rows:
            sheet.append(
                [typed(h, str(c or "")) for h, c in zip(table.headers, record, strict=False)]
            )
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, datetime):
                    cell.number_format = "DD/MM/YYYY"
    write_reproducible(workbook, out)


if __name__ == "__main__":
    build(HERE / "annuaire.xlsx")
    sys.stdout.write(f"wrote {HERE / 'annuaire.xlsx'}\n")
