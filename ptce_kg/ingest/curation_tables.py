"""The curated PTCE tables (``data/curation/``): reading, merging and checking their rows.

``data/curation/README.md`` defines the tables; they live in batch folders merged by key
(``merges.csv`` joins two keys given to one thing). :func:`read_curation` reads every batch, applies
the merges and checks every row against the tables' columns, the vocabularies and the keys of the
other tables; a row that cannot be built is reported with its file, line and column
(:class:`CurationError`), and nothing is built. :mod:`ptce_kg.ingest.curation` builds the RDF.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import DCTERMS

from ptce_kg.errors import SourceError
from ptce_kg.ingest.mapping import Vocabularies
from ptce_kg.namespaces import HTTP_IRI, PTCE, SCHEMA

#: Columns of each table (the README's order). Every column must be present; no other is allowed.
TABLES: dict[str, tuple[str, ...]] = {
    "sources": ("source", "url", "title", "publisher", "published", "consulted", "language"),
    "ptce": ("ptce", "label", "source", "locator", "note"),
    "facts": ("ptce", "property", "value", "source", "locator", "note"),
    "recognitions": ("ptce", "round", "date", "amount", "source", "locator", "note"),
    "organisations": (
        *("org", "label", "category", "ess_family", "legal_form", "siren", "commune"),
        *("source", "locator"),
    ),
    "memberships": ("ptce", "org", "role", "start", "end", "source", "locator", "note"),
    "indicators": ("ptce", "kind", "date", "value", "unit", "source", "locator", "note"),
    "actions": ("ptce", "action", "label", "type", "source", "locator"),
    "governance": ("ptce", "body", "label", "college", "source", "locator"),
    "events": ("subject", "date", "from", "to", "resulting", "source", "locator", "note"),
    "gaps": ("ptce", "dimension", "searched", "note"),
}
#: Columns that may be left empty; every other one is required.
OPTIONAL = {
    "sources": {"publisher", "published", "title"},
    "ptce": {"locator", "note"},
    "facts": {"locator", "note"},
    "recognitions": {"date", "amount", "locator", "note"},
    "organisations": {"category", "ess_family", "legal_form", "siren", "commune", "locator"},
    "memberships": {"start", "end", "locator", "note"},
    "indicators": {"locator", "note"},
    "actions": {"locator", "type"},
    "governance": {"college", "locator"},
    "events": {"from", "to", "resulting", "locator", "note"},
    "gaps": {"note"},
}

#: facts.csv properties → (predicate, how the value is read).
FACT_PROPERTIES: dict[str, tuple[URIRef, str]] = {
    "founded": (SCHEMA.foundingDate, "date"),
    "commune": (PTCE.basedIn, "commune"),
    "covers-commune": (PTCE.coversTerritory, "commune"),
    "covers-departement": (PTCE.coversTerritory, "departement"),
    "covers-region": (PTCE.coversTerritory, "region"),
    "covers-epci": (PTCE.coversTerritory, "epci"),
    "territory-type": (PTCE.territoryType, "concept:territory-type"),
    "sector": (PTCE.sector, "concept:sector"),
    "stage": (PTCE.stage, "concept:stage"),
    "pole-type": (PTCE.poleType, "concept:pole-type"),
    "origin": (PTCE.origin, "concept:origin"),
    "scale": (PTCE.scale, "concept:scale"),
    "funding": (PTCE.fundingSource, "concept:funding"),
    "carrier": (PTCE.carrier, "org"),
    "legal-structure": (PTCE.legalStructure, "org"),
    "citizen-participation": (PTCE.citizenParticipation, "boolean"),
    "related-cluster": (PTCE.relatedCluster, "text"),
    "description": (DCTERMS.description, "text@en"),
}
LANGUAGES = {"fr": "FRA", "en": "ENG", "de": "DEU", "es": "SPA", "it": "ITA"}
KEY = re.compile(r"[a-z0-9][a-z0-9-]*")
DATE = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")
COMMUNE = re.compile(r"(\d{5}|2[AB]\d{3})")
DEPARTEMENT = re.compile(r"(0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-6])")
REGION = re.compile(r"(0[1-6]|11|24|27|28|32|44|52|53|75|76|84|93|94)")
SIREN = re.compile(r"\d{9}")


@dataclass(frozen=True)
class Row:
    """One row of a curation table, with where it comes from."""

    table: str
    path: Path
    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values[column]

    def where(self, column: str | None = None) -> str:
        col = f", column {column!r}" if column else ""
        return f"{self.path}:{self.line}{col}"


@dataclass
class Curation:
    """Every row of every batch, by table, after the checks of :func:`read_curation`."""

    rows: dict[str, list[Row]] = field(default_factory=dict)
    vocabularies: dict[str, set[str]] = field(default_factory=dict)
    #: unit key → the unit an observation carries: its QUDT match, else the concept itself
    units: dict[str, URIRef] = field(default_factory=dict)

    def table(self, name: str) -> list[Row]:
        return self.rows.get(name, [])


class CurationError(SourceError):
    """The curation tables hold rows that cannot be built; ``problems`` lists each one."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "\n  ".join(problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(
            f"{len(problems)} problem(s) in the curation tables:\n  {shown}{more}",
            hint="fix the rows named above (data/curation/README.md says what each column takes)",
        )


def read_curation(curation_dir: Path, vocabulary_dir: Path) -> Curation:
    """Read every batch folder of ``curation_dir`` and check every row.

    Raises:
        CurationError: with one line per problem (file:line, column, what is wrong).
    """
    if not curation_dir.is_dir():
        raise SourceError("no curation folder", path=str(curation_dir))
    schemes = Vocabularies.read(vocabulary_dir).schemes  # the spreadsheet import's reader
    curation = Curation(
        vocabularies={k: {c.key for c in cs} for k, cs in schemes.items()},
        units={c.key: c.exact_match or c.iri for c in schemes.get("unit", [])},
    )
    problems: list[str] = []
    batches = sorted(p for p in curation_dir.iterdir() if p.is_dir())
    if not batches:
        raise SourceError("no batch folder in the curation folder", path=str(curation_dir))
    for batch in batches:
        for path in sorted(batch.glob("*.csv")):
            if path.stem not in TABLES:
                problems.append(f"{path}: unknown table (tables: {', '.join(TABLES)})")
                continue
            problems += _read_table(path, curation)
    merges = curation_dir / "merges.csv"
    if merges.exists():
        problems += _apply_merges(merges, curation)
    problems += _check_rows(curation)
    if problems:
        raise CurationError(problems)
    return curation


#: Columns that hold a PTCE key or an organisation key, by kind of key (merges.csv's ``kind``).
KEY_COLUMNS = {"ptce": ("ptce",), "org": ("org", "subject", "resulting")}


def _apply_merges(path: Path, curation: Curation) -> list[str]:
    """Rewrite every key that ``merges.csv`` says is the same as another (two batches named one
    PTCE or organisation twice): the rows of both then build one node, the labels of the merged
    key become alternative labels."""
    reader = csv.DictReader(path.read_text(encoding="utf-8").splitlines())
    if reader.fieldnames != ["kind", "key", "same_as", "note"]:
        return [f"{path}:1: header must be kind,key,same_as,note"]
    same: dict[str, dict[str, str]] = {"ptce": {}, "org": {}}
    problems = []
    for record in reader:
        kind, key, target = record["kind"], record["key"], record["same_as"]
        if kind not in same or not key or not target or key == target:
            problems.append(f"{path}:{reader.line_num}: kind ptce or org, a key and another key")
            continue
        same[kind][key] = target
    for name, rows in curation.rows.items():
        for i, row in enumerate(rows):
            values = dict(row.values)
            for kind, columns in KEY_COLUMNS.items():
                for column in columns:
                    if column in values and values[column] in same[kind]:
                        values[column] = same[kind][values[column]]
            if name == "facts" and values["property"] in ("carrier", "legal-structure"):
                values["value"] = same["org"].get(values["value"], values["value"])
            if values != row.values:
                rows[i] = Row(row.table, row.path, row.line, values)
    return problems


def _read_table(path: Path, curation: Curation) -> list[str]:
    name = path.stem
    columns = TABLES[name]
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        return [f"{path}: cannot read: {e}"]
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in columns if c not in header]
    extra = [c for c in header if c not in columns]
    if missing or extra:
        return [
            f"{path}:1: header {header} — missing {missing}, unknown {extra} "
            f"(expected {list(columns)})"
        ]
    problems = []
    rows = curation.rows.setdefault(name, [])
    for record in reader:
        line = reader.line_num
        if None in record:
            problems.append(f"{path}:{line}: more cells than columns (quote values with commas)")
            continue
        values = {k.strip(): (v or "").strip() for k, v in record.items()}
        if not any(values.values()):
            continue
        row = Row(name, path, line, values)
        for column in columns:
            if not values[column] and column not in OPTIONAL[name]:
                problems.append(f"{row.where(column)}: empty, and this column is required")
        rows.append(row)
    return problems


def _check_rows(c: Curation) -> list[str]:
    problems: list[str] = []
    vocab = c.vocabularies

    def check(row: Row, column: str, ok: bool, expected: str) -> None:
        if row[column] and not ok:
            problems.append(f"{row.where(column)}: {row[column]!r} is not {expected}")

    def concept(row: Row, column: str, scheme: str) -> None:
        keys = vocab.get(scheme, set())
        check(row, column, row[column] in keys, f"a key of {scheme} ({', '.join(sorted(keys))})")

    sources: dict[str, Row] = {}
    urls: dict[str, Row] = {}
    for row in c.table("sources"):
        key, url = row["source"], row["url"]
        check(row, "source", bool(KEY.fullmatch(key)), "a key (a-z, 0-9, -)")
        check(
            row,
            "url",
            bool(HTTP_IRI.fullmatch(url)),
            "an http(s) URL (no space, quote, brace or <>)",
        )
        for column in ("published", "consulted"):
            check(row, column, bool(DATE.fullmatch(row[column])), "a date YYYY[-MM[-DD]]")
        check(row, "language", row["language"] in LANGUAGES, f"one of {sorted(LANGUAGES)}")
        if key in sources and sources[key]["url"] != url:  # same key, same URL: the first row wins
            problems.append(
                f"{row.where('source')}: {key!r} is another URL at {sources[key].where()}"
            )
        if url in urls and urls[url]["source"] != key:
            problems.append(f"{row.where('url')}: same URL as {urls[url].where()} (another key)")
        sources.setdefault(key, row)
        urls.setdefault(url, row)
    ptces = {row["ptce"]: row for row in c.table("ptce")}
    orgs: dict[str, Row] = {}
    for row in c.table("organisations"):
        check(row, "org", bool(KEY.fullmatch(row["org"])), "a key (a-z, 0-9, -)")
        # the key is frozen with the IRI it mints; a SIREN is an adms:identifier (siren column),
        # never the key, so that finding an organisation's SIREN later leaves its IRI unchanged
        check(row, "org", not SIREN.fullmatch(row["org"]),
              "a key made of a name: a SIREN goes in the siren column")  # fmt: skip
        if row["category"]:
            concept(row, "category", "actor-category")
        if row["ess_family"]:
            concept(row, "ess_family", "ess-family")
        if row["legal_form"]:
            concept(row, "legal_form", "legal-form")
        check(row, "siren", bool(SIREN.fullmatch(row["siren"])) and luhn(row["siren"]),
              "a SIREN (9 digits whose Luhn check holds)")  # fmt: skip
        check(row, "commune", bool(COMMUNE.fullmatch(row["commune"])), "an INSEE commune code")
        orgs.setdefault(row["org"], row)
    for row in c.table("ptce"):
        check(row, "ptce", bool(KEY.fullmatch(row["ptce"])), "a key (a-z, 0-9, -)")
    for name in TABLES:
        for row in c.table(name):
            if "source" in row.values and row["source"] and row["source"] not in sources:
                problems.append(f"{row.where('source')}: unknown source {row['source']!r}")
            if name != "ptce" and "ptce" in row.values and row["ptce"] not in ptces:
                problems.append(f"{row.where('ptce')}: no row for PTCE {row['ptce']!r} in ptce.csv")
            if "org" in row.values and name != "organisations" and row["org"] not in orgs:
                problems.append(f"{row.where('org')}: unknown organisation {row['org']!r}")
    for row in c.table("facts"):
        prop, value = row["property"], row["value"]
        if prop not in FACT_PROPERTIES:
            problems.append(f"{row.where('property')}: unknown property {prop!r}")
            continue
        kind = FACT_PROPERTIES[prop][1]
        if kind == "date":
            check(row, "value", bool(DATE.fullmatch(value)), "a date YYYY[-MM[-DD]]")
        elif kind == "commune":
            check(row, "value", bool(COMMUNE.fullmatch(value)), "an INSEE commune code")
        elif kind == "departement":
            check(row, "value", bool(DEPARTEMENT.fullmatch(value)), "an INSEE département code")
        elif kind == "region":
            check(row, "value", bool(REGION.fullmatch(value)), "an INSEE région code")
        elif kind == "epci":
            check(row, "value", bool(SIREN.fullmatch(value)), "an EPCI SIREN (9 digits)")
        elif kind.startswith("concept:"):
            concept(row, "value", kind.split(":", 1)[1])
        elif kind == "org":
            check(row, "value", value in orgs, "an organisation key of organisations.csv")
        elif kind == "boolean":
            check(row, "value", value in ("true", "false"), "true or false")
    for row in c.table("recognitions"):
        concept(row, "round", "recognition")
        check(row, "date", bool(DATE.fullmatch(row["date"])), "a date YYYY[-MM[-DD]]")
        check(row, "amount", row["amount"].isdigit(), "an amount in euros (digits)")
    for row in c.table("memberships"):
        concept(row, "role", "role")
        for column in ("start", "end"):
            check(row, column, bool(DATE.fullmatch(row[column])), "a date YYYY[-MM[-DD]]")
    for row in c.table("indicators"):
        concept(row, "kind", "indicator")
        concept(row, "unit", "unit")
        check(row, "date", bool(DATE.fullmatch(row["date"])), "a date YYYY[-MM[-DD]]")
        check(row, "value", _is_number(row["value"]), "a number (dot as decimal separator)")
    for row in c.table("actions"):
        check(row, "action", bool(KEY.fullmatch(row["action"])), "a key (a-z, 0-9, -)")
        if row["type"]:
            concept(row, "type", "cooperation-type")
    for row in c.table("governance"):
        check(row, "body", bool(KEY.fullmatch(row["body"])), "a key (a-z, 0-9, -)")
        if row["college"]:
            concept(row, "college", "college")
    forms = vocab.get("legal-form", set()) | vocab.get("ess-family", set())
    for row in c.table("events"):
        check(row, "subject", row["subject"] in orgs, "an organisation key of organisations.csv")
        check(row, "date", bool(DATE.fullmatch(row["date"])), "a date YYYY[-MM[-DD]]")
        for column in ("from", "to"):
            check(row, column, row[column] in forms, "a key of legal-form or ess-family")
        if row["resulting"]:
            created = row["resulting"]
            check(row, "resulting", created in orgs and created != row["subject"],
                  "another organisation key of organisations.csv (the entity created)")  # fmt: skip
        if not row["to"] and not row["note"]:
            problems.append(f"{row.where('note')}: an event with no new legal form needs a note")
    for row in c.table("gaps"):
        concept(row, "dimension", "dimension")
        check(row, "searched", bool(DATE.fullmatch(row["searched"])), "a date YYYY-MM-DD")
    return problems


def luhn(digits: str) -> bool:
    """True when ``digits`` pass the Luhn check that every SIREN's last digit makes."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"-?\d+(\.\d+)?", text))
