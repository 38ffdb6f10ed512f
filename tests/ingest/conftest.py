"""Fixtures of the spreadsheet-import tests: the vocabularies and a way to write small mappings."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ONTOLOGY_DIR

from ptce_kg.ingest.mapping import ImportMapping, Vocabularies, read_mapping

VOCABULARIES_DIR = ONTOLOGY_DIR / "vocabularies"

SIMPLE_MAPPING = """\
version: 1
tables:
  - name: pôles
    sheet: Pôles
    key: Nom
    class: ptce:PTCE
    iri: "ptce/synthetic-{slug(Nom)}"
    properties:
      - {property: skos:prefLabel, column: Nom, lang: fr, required: true}
      - {property: ptce:sector, column: Secteurs, vocabulary: sector, separator: ";"}
      - {property: ptce:basedIn, column: Commune, territory: commune}
      - {property: ptce:sourceNote, column: Note}
      - {property: schema:foundingDate, column: Création, datatype: date-or-year}
"""


@pytest.fixture(scope="session")
def vocabularies() -> Vocabularies:
    return Vocabularies.read(VOCABULARIES_DIR)


@pytest.fixture
def write_mapping(tmp_path: Path, vocabularies: Vocabularies) -> Callable[[str], ImportMapping]:
    """Write YAML text to ``mapping.yaml`` in the test's directory and read it."""

    def write(text: str = SIMPLE_MAPPING) -> ImportMapping:
        path = tmp_path / "mapping.yaml"
        path.write_text(text, encoding="utf-8")
        return read_mapping(path, schemes=vocabularies.schemes)

    return write
