"""parse → entail → validate → store: rejected sources change nothing; reloads replace one graph."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import BASE, ONTOLOGY_DIR, TEST_DATA, dump_quads
from rdflib import Graph

from ptce_kg import pipeline
from ptce_kg.errors import DataRejected, SourceError
from ptce_kg.store import Store

SMALL = TEST_DATA / "pipeline" / "small-ptce.ttl"
INVALID = TEST_DATA / "pipeline" / "invalid-ptce.ttl"
SYNTAX = TEST_DATA / "pipeline" / "syntax-error.ttl"
PTCE = "https://w3id.org/ptce/ontology#"


def test_a_valid_source_is_stored_in_its_own_graph_with_companions(
    territory_store: Store, shapes: Graph
):
    outcome = pipeline.load_source(territory_store, SMALL, shapes, base_iri=BASE)
    assert outcome.graph == f"{BASE}graph/small-ptce"
    sizes = territory_store.graph_sizes()
    assert sizes[outcome.graph] == outcome.triples
    assert sizes[outcome.graph + "/inferred"] > 0
    assert sizes[outcome.graph + "/provenance"] > 0


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_a_rejected_source_leaves_exactly_the_same_quads(
    territory_store: Store, shapes: Graph, engine: str
):
    pipeline.load_source(territory_store, SMALL, shapes, base_iri=BASE)
    before = dump_quads(territory_store)
    with pytest.raises(DataRejected) as caught:
        pipeline.load_source(territory_store, INVALID, shapes, base_iri=BASE, engine=engine)
    assert dump_quads(territory_store) == before
    report = caught.value.report
    focuses = {r.focus for r in report.violations}
    assert "https://w3id.org/ptce/id/ptce/synthetic-invalid" in focuses
    assert all(r.message and r.shape for r in report.violations)


def test_a_rejected_replacement_keeps_the_previous_version(
    territory_store: Store, shapes: Graph, tmp_path: Path
):
    source = tmp_path / "small-ptce.ttl"
    shutil.copy(SMALL, source)
    pipeline.load_source(territory_store, source, shapes, base_iri=BASE)
    before = dump_quads(territory_store)
    source.write_text(INVALID.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(DataRejected):
        pipeline.load_source(territory_store, source, shapes, base_iri=BASE)
    assert dump_quads(territory_store) == before


def test_reloading_a_source_replaces_only_its_graph(
    territory_store: Store, shapes: Graph, tmp_path: Path
):
    first = tmp_path / "first.ttl"
    second = tmp_path / "second.ttl"
    shutil.copy(SMALL, first)
    text = SMALL.read_text(encoding="utf-8")
    second.write_text(text.replace("synthetic-pipeline", "synthetic-second"), encoding="utf-8")
    pipeline.load_source(territory_store, first, shapes, base_iri=BASE)
    pipeline.load_source(territory_store, second, shapes, base_iri=BASE)
    second_graph = f"{BASE}graph/second"
    second_before = territory_store.graph_triples(second_graph)
    first.write_text(text.replace("Pôle de test du pipeline", "Pôle renommé"), encoding="utf-8")
    pipeline.load_source(territory_store, first, shapes, base_iri=BASE)
    assert territory_store.graph_triples(second_graph) == second_before
    first_graph = territory_store.graph_triples(f"{BASE}graph/first").decode()
    assert "Pôle renommé" in first_graph and "Pôle de test du pipeline" not in first_graph


def test_a_query_for_an_ess_enterprise_finds_a_scop(territory_store: Store, shapes: Graph):
    pipeline.load_source(territory_store, SMALL, shapes, base_iri=BASE)
    result = territory_store.query(f"SELECT ?x WHERE {{ ?x a <{PTCE}ESSEnterprise> }}")
    assert [str(r[0]) for r in result.rows] == [
        "https://w3id.org/ptce/id/org/synthetic-pipeline-scop"
    ]


def test_a_syntax_error_names_file_line_and_column(ontology_store: Store, shapes: Graph):
    with pytest.raises(SourceError) as caught:
        pipeline.load_source(ontology_store, SYNTAX, shapes, base_iri=BASE)
    assert f"{SYNTAX}:3:" in str(caught.value)
    assert caught.value.line == 3 and caught.value.column is not None


def test_an_empty_file_is_an_input_error(ontology_store: Store, shapes: Graph, tmp_path: Path):
    empty = tmp_path / "empty.ttl"
    empty.write_text("")
    with pytest.raises(SourceError, match="no triple"):
        pipeline.load_source(ontology_store, empty, shapes, base_iri=BASE)


def test_reloading_the_ontology_refreshes_every_entailment(territory_store: Store, shapes: Graph):
    outcome = pipeline.load_source(territory_store, SMALL, shapes, base_iri=BASE)
    inferred = outcome.graph + "/inferred"
    territory_store.drop_graphs([inferred])
    pipeline.load_ontology(territory_store, TEST_DATA.parent.parent / "ontology")
    assert territory_store.graph_sizes()[inferred] == outcome.inferred


def test_drop_source_removes_the_graph_and_its_companions(territory_store: Store, shapes: Graph):
    outcome = pipeline.load_source(territory_store, SMALL, shapes, base_iri=BASE)
    pipeline.drop_source(territory_store, outcome.graph)
    assert not [g for g in territory_store.graph_sizes() if g.startswith(outcome.graph)]


def test_the_hierarchy_is_read_again_only_when_the_ontology_changes(
    monkeypatch: pytest.MonkeyPatch,
):
    from ptce_kg import reasoning
    from ptce_kg.store import open_store

    reads: list[int] = []
    real = reasoning.load_hierarchy
    monkeypatch.setattr(reasoning, "load_hierarchy", lambda g: reads.append(len(g)) or real(g))
    monkeypatch.setattr(pipeline, "_HIERARCHIES", {})
    store = open_store(":memory:")
    pipeline.load_ontology(store, TEST_DATA / "writes" / "ontology")
    reads.clear()
    first = pipeline.store_hierarchy(store)
    assert pipeline.store_hierarchy(store) is first and len(reads) == 1
    other = open_store(":memory:")  # another store, same ontology: the same hierarchy
    pipeline.load_ontology(other, TEST_DATA / "writes" / "ontology")
    reads.clear()
    assert pipeline.store_hierarchy(other) is first and reads == []
    pipeline.load_ontology(store, ONTOLOGY_DIR)  # the real ontology: read again
    reads.clear()
    changed = pipeline.store_hierarchy(store)
    assert changed is not first and len(reads) == 1
    assert len(changed.superclasses) > len(first.superclasses)
