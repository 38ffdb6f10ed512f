"""HermiT on the ontology; the hierarchy closure and the fast entailment used on data."""

from __future__ import annotations

import time
from functools import cache
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef

from ptce_kg import reasoning
from ptce_kg.config import PROJECT_ROOT
from ptce_kg.errors import ConfigError
from ptce_kg.namespaces import ORG, PTCE
from ptce_kg.reasoning import Hierarchy, check_ontology, closure_graph, entail, load_hierarchy

ONTOLOGY_DIR = PROJECT_ROOT / "ontology"
FIXTURES = Path(__file__).parent / "data" / "reasoning"
EX = "https://w3id.org/ptce/id/org/synthetic-"


def ontology_paths() -> list[Path]:
    return [
        ONTOLOGY_DIR / "ptce.ttl",
        ONTOLOGY_DIR / "alignments.ttl",
        *sorted((ONTOLOGY_DIR / "vocabularies").glob("*.ttl")),
    ]


@cache
def hierarchy() -> Hierarchy:
    g = Graph()
    for path in ontology_paths():
        g.parse(path, format="turtle")
    return load_hierarchy(g)


def test_hermit_finds_the_ontology_consistent() -> None:
    result = check_ontology(ontology_paths())
    assert result.consistent
    assert result.unsatisfiable == []
    assert result.seconds > 0


def test_hermit_reports_an_unsatisfiable_class() -> None:
    result = check_ontology([FIXTURES / "unsatisfiable.ttl"])
    assert result.consistent
    assert result.unsatisfiable == ["https://w3id.org/ptce/id/synthetic-onto#Both"]


def test_hermit_reports_an_inconsistent_ontology() -> None:
    result = check_ontology([FIXTURES / "inconsistent.ttl"])
    assert not result.consistent


def test_hermit_reads_the_ptce_disjointness(tmp_path: Path) -> None:
    """A territory that is also an actor contradicts ptce.ttl: HermiT sees its axioms."""
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix ptce: <https://w3id.org/ptce/ontology#> .\n"
        "<https://w3id.org/ptce/id/commune/synthetic-1> a owl:NamedIndividual, ptce:Commune, "
        "ptce:Association .\n",
        encoding="utf-8",
    )
    assert not check_ontology([ONTOLOGY_DIR / "ptce.ttl", bad]).consistent


def test_missing_java_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(reasoning.shutil, "which", lambda _name: None)
    with pytest.raises(ConfigError, match="Java"):
        check_ontology(ontology_paths())


def test_entail_gives_a_scop_its_superclasses() -> None:
    scop = URIRef(EX + "scop")
    inferred = entail([(scop, RDF.type, PTCE.SCOP)], hierarchy())
    types = {o for s, p, o in inferred if s == scop and p == RDF.type}
    assert {PTCE.Cooperative, PTCE.ESSEnterprise, PTCE.Organisation, PTCE.Actor} <= types
    assert ORG.Organization in types
    assert (scop, RDF.type, PTCE.SCOP) not in inferred


def test_entail_super_properties_inverses_and_transitivity() -> None:
    commune, dep, region = (
        URIRef(f"https://w3id.org/ptce/id/{k}/synthetic-x")
        for k in ("commune", "departement", "region")
    )
    pole, carrier = URIRef("https://w3id.org/ptce/id/ptce/synthetic-p"), URIRef(EX + "c")
    data = [
        (commune, PTCE.within, dep),
        (dep, PTCE.within, region),
        (pole, PTCE.carrier, carrier),
        (commune, PTCE.inseeCode, Literal("42218")),
    ]
    inferred = entail(data, hierarchy())
    assert (commune, PTCE.withinTransitive, dep) in inferred
    assert (commune, PTCE.withinTransitive, region) in inferred
    assert (commune, PTCE.within, region) not in inferred
    assert (carrier, PTCE.carrierOf, pole) in inferred
    assert (commune, URIRef("http://rdf.insee.fr/def/geo#codeINSEE"), Literal("42218")) in inferred
    assert not any(isinstance(s, Literal) for s, _, _ in inferred)


def test_entail_is_linear_and_fast() -> None:
    """100k triples in well under the time a generic reasoner needs (a guard, not a benchmark)."""
    data = [(URIRef(f"{EX}{i}"), RDF.type, PTCE.SCIC) for i in range(50_000)]
    data += [(URIRef(f"{EX}{i}"), PTCE.within, URIRef(f"{EX}{i + 1}")) for i in range(0, 50_000, 2)]
    start = time.perf_counter()
    inferred = entail(data, hierarchy())
    assert time.perf_counter() - start < 20
    assert len(inferred) > 5 * 50_000


def test_closure_graph_is_reflexive_and_transitive() -> None:
    g = closure_graph(hierarchy())
    assert (PTCE.SCOP, RDFS.subClassOf, PTCE.ESSEnterprise) in g
    assert (PTCE.SCOP, RDFS.subClassOf, PTCE.Actor) in g
    assert (PTCE.SCOP, RDFS.subClassOf, PTCE.SCOP) in g
    assert (PTCE.within, RDFS.subPropertyOf, PTCE.withinTransitive) in g
    assert (PTCE.carrier, OWL.inverseOf, PTCE.carrierOf) in g
    assert (PTCE.carrierOf, OWL.inverseOf, PTCE.carrier) in g
    assert (PTCE.ESSEnterprise, RDFS.subClassOf, PTCE.SCOP) not in g


def test_equivalent_classes_are_subclasses_both_ways() -> None:
    g = Graph()
    a, b = (
        URIRef("https://w3id.org/ptce/id/synthetic-onto#A"),
        URIRef("https://w3id.org/ptce/id/synthetic-onto#B"),
    )
    g.add((a, OWL.equivalentClass, b))
    h = load_hierarchy(g)
    assert h.superclasses[a] == h.superclasses[b] == frozenset({a, b})
