"""Minimal cases of the SPARQL engine's wrong answers of issue 14, one test per class.

Each builds a dataset with the data in the focus graph, runs ptce_kg's engine and checks what the
SHACL spec says; the W3C suite (tests/w3c/test_shacl_suite.py) covers the same features at large.
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import Graph, Literal

from ptce_kg.namespaces import SH
from ptce_kg.validate import ValidationReport, ValidationResult
from ptce_kg.validate.sparql_engine import validate_sparql

SOURCE = "urn:test:source"
CONTEXT = "urn:test:context"
EX = "http://example.org/ns#"
PREFIXES = f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
"""


def run(data: str, shapes: str, *, context: str = "") -> list[ValidationResult]:
    store = ox.Store()
    store.load((PREFIXES + data).encode(), ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(SOURCE))
    if context:
        store.load(
            (PREFIXES + context).encode(), ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(CONTEXT)
        )
    graph = Graph().parse(data=PREFIXES + shapes, format="turtle")
    return validate_sparql(store, graph, focus_graphs=[SOURCE])


# --- focus nodes ----------------------------------------------------------------------------------


def test_literal_focus_nodes_are_validated() -> None:
    results = run(
        'ex:a ex:email "not-an-email", "a@b.example" .',
        'ex:S sh:targetObjectsOf ex:email ; sh:pattern "@" .',
    )
    assert [(r.focus_node, r.value_node) for r in results] == [
        (Literal("not-an-email"), Literal("not-an-email"))
    ]
    graph = ValidationReport(results=results).to_graph()
    assert set(graph.objects(None, SH.focusNode)) == {Literal("not-an-email")}


def test_target_node_absent_from_the_data_is_validated() -> None:
    results = run(
        "ex:a ex:p 1 .",
        "ex:S sh:targetNode ex:Missing ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
    )
    assert [(r.focus, r.constraint) for r in results] == [
        (EX + "Missing", str(SH.MinCountConstraintComponent))
    ]


def test_target_node_of_another_source_is_still_context() -> None:
    results = run(
        "ex:a ex:p 1 .",
        "ex:S sh:targetNode ex:Other ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
        context="ex:Other ex:q 2 .",
    )
    assert results == []
