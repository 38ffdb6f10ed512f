"""The main tables of the PTCE data as CSV files: PTCEs, organisations, memberships, indicators.

A table is one row per instance of a class (its IRI in the first column) and one column per
property path, each read by its own SELECT over the data part's graphs and joined here by the row's
IRI, so that a column with several values never multiplies the rows of another: several values of
one cell are sorted and joined by :data:`SEPARATOR`. Cells hold an IRI or a literal's lexical form
as written (``"2016"`` for an ``xsd:gYear``), empty when the data say nothing. Rows are sorted by
IRI; the files are UTF-8 with a header row and ``\\r\\n`` line ends (RFC 4180), the same bytes for
the same data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from rdflib import Literal, URIRef
from rdflib.term import Node

from ptce_kg.store import Store

#: Between the values of a cell that has several.
SEPARATOR = " | "
CSV_MEDIA_TYPE = "text/csv"

_PREFIXES = """PREFIX ptce: <https://w3id.org/ptce/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX adms: <http://www.w3.org/ns/adms#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX schema: <https://schema.org/>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
"""
#: A date an OWL-Time instant states (``time:inXSDDate``…), for intervals such as
#: ``org:memberDuring``.
_INSTANT_DATE = "(time:inXSDDate|time:inXSDgYear|time:inXSDgYearMonth|time:inXSDDateTimeStamp)"


@dataclass(frozen=True)
class Column:
    """One column: its name and the pattern that binds ``?value`` for the row ``?row``."""

    name: str
    pattern: str


@dataclass(frozen=True)
class Table:
    """One CSV file: the class of its rows, its columns (after the row's IRI) and its titles."""

    name: str
    key: str
    row_class: str
    columns: tuple[Column, ...]
    title_fr: str
    title_en: str

    @property
    def file_name(self) -> str:
        """The published file's name, ``<name>.csv``."""
        return f"{self.name}.csv"

    @property
    def header(self) -> list[str]:
        """The header row: the key column, then the columns."""
        return [self.key, *(c.name for c in self.columns)]


TABLES: tuple[Table, ...] = (
    Table(
        "ptce",
        "ptce",
        "ptce:PTCE",
        (
            Column("label", "?row skos:prefLabel ?value"),
            Column("founding_date", "?row schema:foundingDate ?value"),
            Column("stage", "?row ptce:stage ?value"),
            Column("pole_type", "?row ptce:poleType ?value"),
            Column("based_in", "?row ptce:basedIn ?value"),
            Column("covers_territory", "?row ptce:coversTerritory ?value"),
            Column("legal_structure", "?row ptce:legalStructure ?value"),
            Column("carrier", "?row ptce:carrier ?value"),
            Column("sector", "?row ptce:sector ?value"),
            Column("cooperation_type", "?row ptce:cooperationType ?value"),
            Column("recognition", "?row ptce:hasRecognition/ptce:recognitionKind ?value"),
            Column("source", "?row dcterms:source ?value"),
        ),
        "Table des PTCE (une ligne par PTCE)",
        "Table of the PTCEs (one row per PTCE)",
    ),
    Table(
        "organisations",
        "organisation",
        "ptce:Organisation",
        (
            Column("label", "?row skos:prefLabel ?value"),
            Column("class", "?row rdf:type ?value FILTER(?value != ptce:Organisation)"),
            Column("identifier", "?row adms:identifier/skos:notation ?value"),
            Column("based_in", "?row ptce:basedIn ?value"),
            Column("source", "?row dcterms:source ?value"),
        ),
        "Table des organisations (une ligne par organisation)",
        "Table of the organisations (one row per organisation)",
    ),
    Table(
        "memberships",
        "membership",
        "org:Membership",
        (
            Column("ptce", "?row org:organization ?value"),
            Column("member", "?row org:member ?value"),
            Column("role", "?row org:role ?value"),
            Column(
                "start",
                "{ ?row ptce:startDate ?value } UNION "
                f"{{ ?row org:memberDuring/time:hasBeginning/{_INSTANT_DATE} ?value }}",
            ),
            Column(
                "end",
                "{ ?row ptce:endDate ?value } UNION "
                f"{{ ?row org:memberDuring/time:hasEnd/{_INSTANT_DATE} ?value }}",
            ),
            Column("source", "?row dcterms:source ?value"),
        ),
        "Table des adhésions des organisations aux PTCE (une ligne par adhésion)",
        "Table of the organisations' memberships in PTCEs (one row per membership)",
    ),
    Table(
        "indicators",
        "indicator",
        "ptce:Indicator",
        (
            Column(
                "ptce", "{ ?value ptce:hasIndicator ?row } UNION { ?row ptce:indicatorOf ?value }"
            ),
            Column("kind", "?row ptce:indicatorKind ?value"),
            Column(
                "date",
                "{ ?row ptce:date ?value } UNION "
                f"{{ ?row ptce:refPeriod/time:hasBeginning/{_INSTANT_DATE} ?value }}",
            ),
            Column("period", "?row ptce:refPeriod ?value"),
            Column("value", "?row ptce:value ?value"),
            Column(
                "unit", "{ ?row ptce:unit ?value } UNION { ?row sdmx-attribute:unitMeasure ?value }"
            ),
            Column("source", "?row dcterms:source ?value"),
        ),
        "Table des indicateurs datés des PTCE (une ligne par valeur)",
        "Table of the PTCEs' dated indicators (one row per value)",
    ),
)


def _cell(term: Node) -> str:
    if isinstance(term, URIRef | Literal):
        return str(term)
    return ""  # a blank node has no name outside its document


def table_rows(store: Store, table: Table, graphs: Sequence[str]) -> list[list[str]]:
    """The rows of ``table`` over the union of ``graphs``, sorted by the row's IRI."""
    rows: dict[str, list[set[str]]] = {}
    keys = (
        f"{_PREFIXES}SELECT DISTINCT ?row WHERE {{ ?row a {table.row_class} FILTER(isIRI(?row)) }}"
    )
    for binding in store.query(keys, default_graph=list(graphs)).bindings():
        rows[str(binding["row"])] = [set() for _ in table.columns]
    for index, column in enumerate(table.columns):
        sparql = (
            f"{_PREFIXES}SELECT DISTINCT ?row ?value WHERE {{ ?row a {table.row_class} . "
            f"{column.pattern} }}"
        )
        for binding in store.query(sparql, default_graph=list(graphs)).bindings():
            cells = rows.get(str(binding.get("row", "")))
            if cells is not None and "value" in binding:
                text = _cell(binding["value"])
                if text:
                    cells[index].add(text)
    return [
        [key, *(SEPARATOR.join(sorted(values)) for values in cells)]
        for key, cells in sorted(rows.items())
    ]


def csv_bytes(table: Table, rows: Sequence[Sequence[str]]) -> bytes:
    """``rows`` of ``table`` as CSV (RFC 4180: header row, ``\\r\\n``, quotes where needed)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.header)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


__all__ = ["CSV_MEDIA_TYPE", "SEPARATOR", "TABLES", "Column", "Table", "csv_bytes", "table_rows"]
