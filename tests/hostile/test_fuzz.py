"""Property tests: the CSV mapper never fails but with a MappingError/SourceError and keeps any
cell text as its literal; slugs and minted IRIs are always valid and stable; the shapes' SIREN,
SIRET and INSEE checks agree with a plain Python Luhn / pattern on generated batches."""

from __future__ import annotations

import csv
import io
import re
import tempfile
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef

from hostile.conftest import HOSTILE_DATA
from ptce_kg import pipeline
from ptce_kg.config import PROJECT_ROOT
from ptce_kg.errors import MappingError, SourceError
from ptce_kg.formats import RdfFormat
from ptce_kg.ingest.mapping import Vocabularies, read_mapping
from ptce_kg.ingest.rdf import parse_rdf_bytes
from ptce_kg.ingest.spreadsheet import read_spreadsheet
from ptce_kg.namespaces import mint_iri, slugify
from ptce_kg.validate import ValidationResult, validate_dataset

SOURCE_NOTE = URIRef("https://w3id.org/ptce/ontology#sourceNote")
PREF_LABEL = URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
#: Cell text: any Unicode scalar value (no surrogates: a CSV file is encoded text).
CELL = st.text(st.characters(codec="utf-8"), max_size=200)


@pytest.fixture(scope="module")
def vocabularies() -> Vocabularies:
    return Vocabularies.read(PROJECT_ROOT / "ontology" / "vocabularies")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return pipeline.read_shapes(PROJECT_ROOT / "shapes")


def csv_bytes(name: str, note: str) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerows([["Nom", "Note"], [name, note]])
    return buf.getvalue().encode("utf-8")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=CELL, note=CELL)
def test_any_cell_text_maps_or_is_reported(
    name: str, note: str, vocabularies: Vocabularies
) -> None:
    mapping = read_mapping(
        HOSTILE_DATA / "organisations.mapping.yaml", schemes=vocabularies.schemes
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "organisations.csv"
        path.write_bytes(csv_bytes(name, note))
        try:
            rows = read_spreadsheet(path, mapping, vocabularies)
        except (MappingError, SourceError):
            return  # a clear, located error is a fine answer to a strange file
    if rows.problems:
        assert isinstance(rows.error(), MappingError)
        return
    notes = list(rows.graph.objects(None, SOURCE_NOTE))
    if note.strip():
        assert notes == [Literal(note.strip())] or [str(n) for n in notes] == [note.strip()]
    else:
        assert notes == []
    labels = [str(label) for label in rows.graph.objects(None, PREF_LABEL)]
    assert labels == [name.strip()]
    ox.parse(rows.ntriples(), format=ox.RdfFormat.N_TRIPLES)  # the output is valid RDF


@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=80))
def test_slugs_and_minted_iris_are_valid_and_stable(text: str) -> None:
    try:
        slug = slugify(text)
    except ValueError:
        return  # no letter or digit survives: refused, never an empty key
    assert SLUG.fullmatch(slug), slug
    assert slugify(text) == slug and slugify(slug) == slug
    iri = mint_iri("org", slug)
    assert ox.NamedNode(str(iri)).value == str(iri)
    assert mint_iri("org", slug) == iri


@settings(max_examples=300, deadline=None)
@given(kind=st.text(max_size=12), key=st.text(max_size=40))
def test_mint_iri_refuses_or_makes_a_valid_iri(kind: str, key: str) -> None:
    try:
        iri = mint_iri(kind, key)
    except ValueError:
        return
    node = ox.NamedNode(str(iri))
    assert node.value.startswith("https://w3id.org/ptce/id/")
    assert "/../" not in node.value and " " not in node.value


# ------------------------------------------------------------------------ SIREN, SIRET, INSEE
def luhn_ok(number: str) -> bool:
    total = 0
    for i, digit in enumerate(reversed(number)):
        d = int(digit) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def siret_ok(number: str) -> bool:
    la_poste = number.startswith("356000000") and sum(map(int, number)) % 5 == 0
    return luhn_ok(number) or la_poste


def with_check_digit(prefix: str) -> str:
    return next(prefix + d for d in "0123456789" if luhn_ok(prefix + d))


def digits(n: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=n, max_size=n)


SIRENS = st.lists(
    st.one_of(digits(9), digits(8).map(with_check_digit)), min_size=30, max_size=60, unique=True
)
SIRETS = st.lists(
    st.one_of(
        digits(14),
        digits(13).map(with_check_digit),
        digits(5).map(lambda s: "356000000" + s),
    ),
    min_size=30,
    max_size=60,
    unique=True,
)
INSEE = st.lists(
    st.one_of(
        st.text("0123456789AB", min_size=5, max_size=5),
        st.sampled_from(["2A004", "2B033", "20000", "97105", "97901", "00123", "96001", "75056"]),
    ),
    min_size=10,
    max_size=30,
    unique=True,
)
INSEE_PATTERN = re.compile(
    r"((0[1-9]|1[0-9]|2[1-9]|[3-8][0-9]|9[0-5]|2[AB])[0-9]{3}|97[1-8][0-9]{2})"
)
IDENTIFIER_TYPE = "https://w3id.org/ptce/id/concept/identifier-type/"
GRAPH = "https://w3id.org/ptce/graph/synthetic-fuzz"


def flagged(results: list[ValidationResult], *, message: str = "", shape: str = "") -> set[str]:
    """Focus nodes of the results whose message contains ``message`` and shape ends with
    ``shape`` (SPARQL constraints report the node shape: their message tells them apart)."""
    return {r.focus for r in results if message in r.message and r.shape.endswith(shape)}


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sirens=SIRENS, sirets=SIRETS, codes=INSEE)
def test_the_shapes_check_digits_agree_with_luhn(
    sirens: list[str], sirets: list[str], codes: list[str], shapes: Graph
) -> None:
    """One validation run per batch: every identifier node is flagged iff Python says so."""
    lines = []
    expected_siren: set[str] = set()
    expected_siret: set[str] = set()
    expected_insee: set[str] = set()
    for kind, numbers, ok, expected in (
        ("siren", sirens, luhn_ok, expected_siren),
        ("siret", sirets, siret_ok, expected_siret),
    ):
        for number in numbers:
            node = f"https://w3id.org/ptce/id/identifier/{kind}/{number}"
            lines += [
                f"<{node}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                "<http://www.w3.org/ns/adms#Identifier> .",
                f'<{node}> <http://www.w3.org/2004/02/skos/core#notation> "{number}" .',
                f"<{node}> <http://purl.org/dc/terms/type> <{IDENTIFIER_TYPE}{kind}> .",
            ]
            if not ok(number):
                expected.add(node)
    for code in codes:
        node = f"https://w3id.org/ptce/id/commune/synthetic-{code}"
        lines += [
            f"<{node}> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
            "<https://w3id.org/ptce/ontology#Commune> .",
            f'<{node}> <https://w3id.org/ptce/ontology#inseeCode> "{code}" .',
        ]
        if not INSEE_PATTERN.fullmatch(code):
            expected_insee.add(node)
    parsed = parse_rdf_bytes(("\n".join(lines) + "\n").encode(), RdfFormat.N_TRIPLES, graph=GRAPH)
    report = validate_dataset(parsed.dataset, shapes, focus_graphs=[GRAPH], engine="sparql")
    results = list(report.results)
    assert flagged(results, message="SIREN's Luhn check digit is wrong") == expected_siren
    assert flagged(results, message="SIRET's check digit is wrong") == expected_siret
    insee = {
        r.focus
        for r in results
        if r.shape.endswith("Commune-inseeCode")
        and (r.constraint or "").endswith("PatternConstraintComponent")
    }
    assert insee == expected_insee
