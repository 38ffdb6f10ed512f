"""Every write is validated on the data as written, not as the store keeps it (issue 14).

Oxigraph keeps ``"5"^^xsd:int`` as ``"5"^^xsd:integer`` and ``"4.0"^^xsd:decimal`` as ``"4"``. A
shape saying ``sh:datatype xsd:int`` must accept the first and ``sh:datatype xsd:integer`` must
refuse it, whichever way the data comes in (a file loaded here or in a parse child, a Graph Store
body, ``POST /api/validate``), whichever engine validates, and on blank nodes as on IRIs; a
reported value is the literal the document wrote.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import BASE
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from ptce_kg import pipeline
from ptce_kg.errors import DataRejected
from ptce_kg.formats import RdfFormat
from ptce_kg.ingest.rdf import IN_PROCESS, ParseLimits
from ptce_kg.pipeline.graph_writes import put_graph, update_dataset
from ptce_kg.pipeline.validation_child import validate_isolated
from ptce_kg.store import Store

EX = "http://example.org/ns#"
ISOLATED = ParseLimits(isolated=True)

#: One IRI and one blank node, each with an ``xsd:int`` and a non-canonical decimal.
DATA = f"""@prefix ex: <{EX}> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a ex:n "5"^^xsd:int ; ex:d "4.0"^^xsd:decimal .
[] ex:n "7"^^xsd:int ; ex:d "04.50"^^xsd:decimal .
"""


def shapes_for(datatype: str, extra: str = "") -> Graph:
    return Graph().parse(
        data=f"""@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <{EX}> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:n ;
          sh:property [ sh:path ex:n ; sh:datatype xsd:{datatype} ] {extra} .""",
        format="turtle",
    )


def write(tmp_path: Path) -> Path:
    path = tmp_path / "as-written.ttl"
    path.write_text(DATA, encoding="utf-8")
    return path


@pytest.mark.parametrize("limits", [IN_PROCESS, ISOLATED], ids=["here", "child"])
@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_a_derived_datatype_is_accepted_as_written(
    ontology_store: Store, tmp_path: Path, engine: str, limits: ParseLimits
):
    outcome = pipeline.load_source(
        ontology_store,
        write(tmp_path),
        shapes_for("int"),
        base_iri=BASE,
        engine=engine,
        limits=limits,
    )
    assert outcome.report.conforms and outcome.triples == 4


@pytest.mark.parametrize("limits", [IN_PROCESS, ISOLATED], ids=["here", "child"])
@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_the_base_datatype_refuses_a_derived_one_and_reports_it_as_written(
    ontology_store: Store, tmp_path: Path, engine: str, limits: ParseLimits
):
    before = ontology_store.quad_count()
    with pytest.raises(DataRejected) as caught:
        pipeline.load_source(
            ontology_store,
            write(tmp_path),
            shapes_for("integer"),
            base_iri=BASE,
            engine=engine,
            limits=limits,
        )
    values = {r.value_node for r in caught.value.report.violations}
    assert values == {Literal("5", datatype=XSD.int), Literal("7", datatype=XSD.int)}
    focuses = {r.focus for r in caught.value.report.violations}
    assert EX + "a" in focuses and any(f.startswith("_:") for f in focuses)  # the blank node too
    assert ontology_store.quad_count() == before


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_a_value_is_reported_with_its_lexical_form_as_written(
    ontology_store: Store, tmp_path: Path, engine: str
):
    shapes = shapes_for("int", "; sh:property [ sh:path ex:d ; sh:maxInclusive 3 ]")
    report = pipeline.validate_source(
        ontology_store, write(tmp_path), shapes, base_iri=BASE, engine=engine
    )
    values = {r.value_node for r in report.violations}
    assert values == {
        Literal("4.0", datatype=XSD.decimal, normalize=False),
        Literal("04.50", datatype=XSD.decimal, normalize=False),
    }


@pytest.mark.parametrize("limits", [IN_PROCESS, ISOLATED], ids=["here", "child"])
def test_a_graph_store_body_is_validated_as_written(ontology_store: Store, limits: ParseLimits):
    graph = f"{BASE}graph/as-written"
    put_graph(
        ontology_store, graph, DATA.encode(), RdfFormat.TURTLE, shapes_for("int"), limits=limits
    )
    assert ontology_store.graph_sizes()[graph] == 4
    with pytest.raises(DataRejected) as caught:
        put_graph(
            ontology_store,
            f"{graph}-2",
            DATA.encode(),
            RdfFormat.TURTLE,
            shapes_for("integer"),
            limits=limits,
        )
    assert len(caught.value.report.violations) == 2


def test_users_shapes_over_http_see_the_data_as_written():
    shapes = [s.serialize(format="turtle").encode() for s in (shapes_for("int"),)]
    assert validate_isolated(DATA.encode(), RdfFormat.TURTLE, shapes, limits=ISOLATED).conforms
    shapes = [shapes_for("integer").serialize(format="turtle").encode()]
    report = validate_isolated(DATA.encode(), RdfFormat.TURTLE, shapes, limits=ISOLATED)
    assert not report.conforms
    values = {r["value"] for r in json.loads(report.json)["results"]}
    assert len(values) == 2


def test_a_canonical_literal_is_not_reported_twice():
    """Two written forms of one stored literal on one subject stay two results."""
    data = f"""@prefix ex: <{EX}> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    ex:a ex:n "5"^^xsd:int, "5"^^xsd:short ."""
    shapes = [shapes_for("int").serialize(format="turtle").encode()]
    report = validate_isolated(data.encode(), RdfFormat.TURTLE, shapes, limits=ISOLATED)
    results = json.loads(report.json)["results"]
    assert [URIRef(EX + "a")] == list({URIRef(r["focus"]) for r in results})
    assert len(results) == 1  # the xsd:short only


UPDATE = f"""PREFIX ex: <{EX}> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
INSERT DATA {{ GRAPH <{BASE}graph/updated> {{
  ex:u ex:n "9"^^xsd:int . _:b ex:n "8"^^xsd:int }} }}"""


@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_a_sparql_update_is_validated_on_the_literals_it_writes(ontology_store: Store, engine: str):
    with pytest.raises(DataRejected) as caught:
        update_dataset(ontology_store, UPDATE, shapes_for("integer"), engine=engine)
    values = {r.value_node for r in caught.value.report.violations}
    assert values == {Literal("9", datatype=XSD.int), Literal("8", datatype=XSD.int)}
    outcome = update_dataset(ontology_store, UPDATE, shapes_for("int"), engine=engine)
    assert outcome.report.conforms and outcome.graphs == [f"{BASE}graph/updated"]


def test_a_template_literal_is_validated_as_written(ontology_store: Store):
    seed = f"""PREFIX ex: <{EX}>
    INSERT DATA {{ GRAPH <{BASE}graph/updated> {{ ex:t ex:m "x" }} }}"""
    update_dataset(ontology_store, seed, shapes_for("int"))
    template = f"""PREFIX ex: <{EX}> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
    INSERT {{ GRAPH <{BASE}graph/updated> {{ ?s ex:n "10"^^xsd:int }} }}
    WHERE {{ GRAPH <{BASE}graph/updated> {{ ?s ex:m "x" }} }}"""
    with pytest.raises(DataRejected):
        update_dataset(ontology_store, template, shapes_for("integer"))
    assert update_dataset(ontology_store, template, shapes_for("int")).report.conforms


def test_a_default_graph_put_is_validated_as_written(ontology_store: Store):
    put_graph(ontology_store, "", DATA.encode(), RdfFormat.TURTLE, shapes_for("int"))
    with pytest.raises(DataRejected):
        put_graph(ontology_store, "", DATA.encode(), RdfFormat.TURTLE, shapes_for("integer"))
