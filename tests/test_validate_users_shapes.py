"""`ptce-kg validate FILE --shapes SHAPES.ttl`: any RDF file against a network's own shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import SH
from typer.testing import CliRunner

from ptce_kg import cli

SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:EmailShape a sh:NodeShape ; sh:targetObjectsOf ex:email ; sh:pattern "@" .
ex:NameShape a sh:NodeShape ; sh:targetClass ex:Person ;
    sh:property [ sh:path ex:name ; sh:minCount 1 ] .
"""
GOOD = '@prefix ex: <http://example.org/> . ex:a a ex:Person ; ex:name "A" ; ex:email "a@b.org" .'
BAD = '@prefix ex: <http://example.org/> . ex:a a ex:Person ; ex:email "not-an-email" .'
REFUSED = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetObjectsOf ex:email ; sh:pattern "(a)\\\\1" ."""


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    paths = {}
    for name, text in {"shapes": SHAPES, "good": GOOD, "bad": BAD, "refused": REFUSED}.items():
        paths[name] = tmp_path / f"{name}.ttl"
        paths[name].write_text(text, encoding="utf-8")
    return paths


def validate(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.app, ["validate", *map(str, args), "--store", ":memory:"])
    return result.exit_code, result.stdout, result.stderr


def test_data_that_meets_the_users_shapes_conforms(files: dict[str, Path]) -> None:
    code, out, _ = validate(files["good"], "--shapes", files["shapes"], "-o", "json")
    assert code == 0 and json.loads(out)["conforms"] is True


def test_a_literal_focus_node_breaking_a_pattern_is_reported(files: dict[str, Path]) -> None:
    code, out, _ = validate(files["bad"], "--shapes", files["shapes"], "-o", "json")
    report = json.loads(out)
    assert code == 1 and report["conforms"] is False
    assert {r["path"] for r in report["results"]} == {"http://example.org/name", None}
    assert "not-an-email" in {r["focus"] for r in report["results"]}


def test_the_turtle_output_is_a_standard_validation_report(files: dict[str, Path]) -> None:
    code, out, _ = validate(files["bad"], "--shapes", files["shapes"], "-o", "turtle")
    graph = Graph().parse(data=out, format="turtle")
    (report,) = graph.subjects(SH.conforms, Literal(False))
    assert code == 1 and len(list(graph.objects(report, SH.result))) == 2


def test_a_shape_the_engine_cannot_evaluate_is_refused_not_partly_applied(
    files: dict[str, Path],
) -> None:
    code, out, err = validate(files["bad"], "--shapes", files["refused"])
    assert code == 2 and "shapes refused" in err and "back-reference" in err
    assert "conform" not in out
