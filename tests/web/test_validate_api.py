"""POST /api/validate: any RDF document against the project's shapes or the caller's own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal
from rdflib.namespace import SH

from ptce_kg import pipeline
from ptce_kg.config import PROJECT_ROOT, Settings
from ptce_kg.store import open_store
from ptce_kg.web import create_app

SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:EmailShape a sh:NodeShape ; sh:targetObjectsOf ex:email ; sh:pattern "@" .
ex:NameShape a sh:NodeShape ; sh:targetClass ex:Person ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ] .
"""
GOOD = '@prefix ex: <http://example.org/> . ex:a a ex:Person ; ex:name "A" ; ex:email "a@b.org" .'
BAD = '@prefix ex: <http://example.org/> . ex:a a ex:Person ; ex:email "not-an-email" .'


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    store = open_store(":memory:")
    pipeline.load_ontology(store, PROJECT_ROOT / "ontology")
    with TestClient(create_app(Settings(store=":memory:"), store)) as c:
        yield c


def test_data_that_meets_the_callers_shapes_conforms(client: TestClient) -> None:
    r = client.post("/api/validate", json={"data": GOOD, "shapes": [SHAPES]})
    assert r.status_code == 200 and r.json()["conforms"] is True


def test_a_non_conforming_document_gets_its_report_in_turtle(client: TestClient) -> None:
    r = client.post(
        "/api/validate", json={"data": BAD, "shapes": [SHAPES]}, headers={"Accept": "text/turtle"}
    )
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=r.text, format="turtle")
    (report,) = graph.subjects(SH.conforms, Literal(False))
    assert len(list(graph.objects(report, SH.result))) == 2


def test_without_shapes_the_projects_shapes_apply(client: TestClient) -> None:
    ptce = (  # a PTCE with no label, no territory, no source
        "<https://w3id.org/ptce/id/ptce/x> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://w3id.org/ptce/ontology#PTCE> ."
    )
    r = client.post("/api/validate", json={"data": ptce, "format": "n-triples"})
    assert r.status_code == 200 and r.json()["conforms"] is False


@pytest.mark.parametrize(
    ("body", "words"),
    [
        pytest.param({"shapes": [SHAPES]}, "'data'", id="no-data"),
        pytest.param({"data": "ex:a ex:b", "shapes": [SHAPES]}, "data", id="bad-data"),
        pytest.param({"data": GOOD, "shapes": ["@prefix"]}, "shapes file 1", id="bad-shapes"),
        pytest.param({"data": GOOD, "format": "png"}, "unknown RDF format", id="format"),
        pytest.param(
            {"data": BAD, "shapes": [SHAPES.replace('"@"', '"(a)\\\\1"')]},
            "shapes refused",
            id="refused-shape",
        ),
        pytest.param({"data": "[" * 5000 + "]" * 5000}, "nest", id="too-deep"),
    ],
)
def test_bad_input_is_a_400_that_says_why(client: TestClient, body: dict, words: str) -> None:
    r = client.post("/api/validate", json=body)
    assert r.status_code == 400, r.text
    assert words in r.json()["message"]
    assert client.get("/health").status_code == 200


def test_a_validation_over_its_time_is_stopped_and_the_server_goes_on() -> None:
    store = open_store(":memory:")
    settings = Settings(store=":memory:", parse_timeout=0.01)
    with TestClient(create_app(settings, store)) as c:
        r = c.post("/api/validate", json={"data": GOOD, "shapes": [SHAPES]})
        assert r.status_code == 400 and "took longer" in r.json()["message"]
        assert c.get("/health").status_code == 200
