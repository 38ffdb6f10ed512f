"""The real PTCE dataset (data/), checked against the IRI policy.

These tests check what shapes cannot: every fact names its source, completeness of the
territories, and the synthetic example. Agreement of the PTCE files with their source documents
is checked by the curation build's own tests.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

from ptce_kg.namespaces import ORG, PTCE

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
PTCE_DIR = DATA / "ptce"
TERRITORIES = DATA / "territories"
SYNTHETIC = DATA / "examples" / "synthetic-example.ttl"
DATA_MODEL = ROOT / "docs" / "decisions" / "0002-data-model.md"
ID_BASE = "https://w3id.org/ptce/id/"
CONCEPT_BASE = ID_BASE + "concept/"

ALL_TTL = sorted(DATA.rglob("*.ttl"))
PTCE_FILES = sorted(PTCE_DIR.glob("*.ttl"))

REGION_CODES = {
    "01", "02", "03", "04", "06", "11", "24", "27", "28",
    "32", "44", "52", "53", "75", "76", "84", "93", "94",
}  # fmt: skip
DEPARTEMENT_CODES = (
    {f"{n:02d}" for n in range(1, 96) if n != 20}
    | {"2A", "2B"}
    | {"971", "972", "973", "974", "976"}
)
# Types of the nodes that carry facts and so must name their source.
FACT_TYPES = (
    PTCE.PTCE,
    PTCE.Recognition,
    PTCE.Indicator,
    ORG.Membership,
    PTCE.CooperationAction,
    PTCE.Project,
    PTCE.GovernanceBody,
    PTCE.Commune,
    PTCE.Departement,
    PTCE.Region,
    PTCE.EPCI,
)


@cache
def load(path: Path) -> Graph:
    """Parse one Turtle file of data/ (cached: files are read-only here)."""
    return Graph().parse(path, format="turtle")


def territory_codes(path: Path, cls: URIRef) -> dict[URIRef, str]:
    """Return ``{territory IRI: INSEE code}`` for the nodes of class ``cls`` in ``path``."""
    graph = load(path)
    return {s: str(graph.value(s, PTCE.inseeCode)) for s in graph.subjects(RDF.type, cls)}  # type: ignore[misc]


def luhn_valid(digits: str) -> bool:
    """Return True when ``digits`` passes the Luhn check (SIREN, SIRET)."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


@pytest.mark.parametrize("path", ALL_TTL, ids=lambda p: str(p.relative_to(DATA)))
def test_data_file_parses_and_has_a_header(path: Path) -> None:
    assert len(load(path)) > 0
    assert path.read_text(encoding="utf-8").startswith("#"), "a header comment names the source"


@pytest.mark.parametrize("path", ALL_TTL, ids=lambda p: str(p.relative_to(DATA)))
def test_every_fact_node_names_its_source(path: Path) -> None:
    graph = load(path)
    nodes = {s for cls in FACT_TYPES for s in graph.subjects(RDF.type, cls)}
    nodes |= set(graph.objects(None, ORG.member))
    nodes |= set(graph.objects(None, PTCE.carrier)) | set(graph.objects(None, PTCE.legalStructure))
    unsourced = sorted(str(n) for n in nodes if graph.value(n, DCTERMS.source) is None)
    assert not unsourced


def test_all_regions_are_present_with_their_codes() -> None:
    codes = territory_codes(TERRITORIES / "regions.ttl", PTCE.Region)
    assert sorted(codes.values()) == sorted(REGION_CODES)
    for iri, code in codes.items():
        assert iri == URIRef(f"{ID_BASE}region/{code}")


def test_all_departements_are_present_within_their_region() -> None:
    codes = territory_codes(TERRITORIES / "departements.ttl", PTCE.Departement)
    assert sorted(codes.values()) == sorted(DEPARTEMENT_CODES)
    regions = set(territory_codes(TERRITORIES / "regions.ttl", PTCE.Region))
    graph = load(TERRITORIES / "departements.ttl")
    for iri, code in codes.items():
        assert iri == URIRef(f"{ID_BASE}departement/{code}")
        assert set(graph.objects(iri, PTCE.within)) <= regions
        assert len(set(graph.objects(iri, PTCE.within))) == 1, f"département {code}: one région"


def test_every_commune_is_within_the_departement_its_code_starts_with() -> None:
    departements = territory_codes(TERRITORIES / "departements.ttl", PTCE.Departement)
    graph = load(TERRITORIES / "communes.ttl")
    communes = territory_codes(TERRITORIES / "communes.ttl", PTCE.Commune)
    assert communes
    for iri, code in communes.items():
        assert re.fullmatch(r"(\d{5}|2[AB]\d{3})", code), code
        assert iri == URIRef(f"{ID_BASE}commune/{code}")
        parents = list(graph.objects(iri, PTCE.within))
        assert len(parents) == 1, f"commune {code}: one département"
        assert code.startswith(departements[parents[0]]), f"commune {code} in {parents[0]}"  # type: ignore[index]


def test_every_territory_used_by_a_ptce_is_described() -> None:
    described: set[URIRef] = set()
    for name in ("regions.ttl", "departements.ttl", "communes.ttl"):
        described |= set(load(TERRITORIES / name).subjects(PTCE.inseeCode, None))  # type: ignore[arg-type]
    for path in PTCE_FILES:
        graph = load(path)
        used = set(graph.objects(None, PTCE.basedIn)) | set(
            graph.objects(None, PTCE.coversTerritory)
        )
        assert used, f"{path.name}: a PTCE needs at least one territory"
        assert used <= described, f"{path.name}: {sorted(map(str, used - described))}"


def test_synthetic_example_iris_all_say_synthetic() -> None:
    graph = load(SYNTHETIC)
    terms = set(graph.subjects())  # what the file describes; it may point at real territories
    data_iris = {
        str(t)
        for t in terms
        if isinstance(t, URIRef) and t.startswith(ID_BASE) and not t.startswith(CONCEPT_BASE)
    }
    assert data_iris
    assert not sorted(i for i in data_iris if "synthetic" not in i)
    for label in graph.objects(None, SKOS.prefLabel):
        assert str(label).endswith(("(synthétique)", "(synthetic)")), label


def test_synthetic_identifiers_are_luhn_valid() -> None:
    graph = load(SYNTHETIC)
    notations = [str(graph.value(i, SKOS.notation)) for i in graph.subjects(RDF.type, None)]
    identifiers = [n for n in notations if n.isdigit()]
    assert identifiers
    for number in identifiers:
        assert len(number) in (9, 14) and luhn_valid(number), number


def test_synthetic_example_uses_every_ptce_term_of_the_data_model() -> None:
    graph = load(SYNTHETIC)
    for path in sorted((DATA / "territories").glob("*.ttl")):
        graph += load(path)
    used = set(graph.predicates()) | set(graph.objects(None, RDF.type))
    named = set(
        re.findall(r"\bptce:([A-Za-z][A-Za-z0-9]*)", DATA_MODEL.read_text(encoding="utf-8"))
    )
    abstract = {"Territory"}  # only its four subclasses have instances
    entailed = {"withinTransitive"}  # computed at load time from ptce:within
    missing = sorted(
        t for t in named - abstract - entailed if URIRef(str(PTCE._NS) + t) not in used
    )
    assert not missing
