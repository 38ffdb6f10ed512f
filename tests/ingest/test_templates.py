"""The templates of data/templates/: their columns are exactly what their mappings read, their
README explains every column, and a template filled with its examples imports without problem."""

from __future__ import annotations

import csv
import importlib.util
import io
from pathlib import Path
from types import ModuleType

import pytest
from conftest import DATA_DIR

from ptce_kg.ingest.mapping import Vocabularies, normalise, read_mapping
from ptce_kg.ingest.sheets import read_csv, read_xlsx
from ptce_kg.ingest.spreadsheet import read_spreadsheet

TEMPLATES = DATA_DIR / "templates"
NAMES = ["ptce", "membres", "cooperations"]


def build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_templates", TEMPLATES / "build_templates.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", NAMES)
def test_template_columns_are_the_mapping_columns(name: str) -> None:
    [table] = read_mapping(TEMPLATES / f"{name}.mapping.yaml").tables
    mapped = sorted(normalise(c) for c in table.columns)
    csv_headers = read_csv(TEMPLATES / f"{name}.csv").headers
    [sheet] = read_xlsx(TEMPLATES / f"{name}.xlsx", sheets=[(table.sheet, 1)])
    assert sorted(normalise(h) for h in csv_headers) == mapped
    assert sheet.headers == csv_headers


@pytest.mark.parametrize("name", NAMES)
def test_readme_explains_every_column(name: str) -> None:
    readme = (TEMPLATES / "README.md").read_text(encoding="utf-8")
    for header in read_csv(TEMPLATES / f"{name}.csv").headers:
        assert f"`{header}`" in readme, header


@pytest.mark.parametrize("name", NAMES)
def test_a_template_filled_with_its_examples_imports(
    name: str, tmp_path: Path, vocabularies: Vocabularies
) -> None:
    columns = build_module().TEMPLATES[name][1]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows([[c[0] for c in columns], [c[2] for c in columns]])
    path = tmp_path / f"{name}.csv"
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    mapping = read_mapping(TEMPLATES / f"{name}.mapping.yaml", schemes=vocabularies.schemes)
    result = read_spreadsheet(path, mapping, vocabularies)
    assert [p.text() for p in result.problems] == []
    assert len(result.graph) > 5
