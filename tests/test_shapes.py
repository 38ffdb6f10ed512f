"""Data-driven shape cases: tests/data/shapes/<ShapeName>/<case>.{valid,invalid}.ttl.

Each case is validated with the ontology, alignments, vocabularies and the materialised class
hierarchy in the data graph (as the pipeline does), against both shapes files. A valid case yields
no ``sh:Violation`` at all and no result of its shape; an invalid case yields the result named
by its ``# expect: <shape or constraint local name> <sh:Violation|sh:Warning>`` first line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, Graph, Namespace, URIRef

from ptce_kg.config import PROJECT_ROOT
from ptce_kg.namespaces import PTCESH
from ptce_kg.reasoning import closure_graph, load_hierarchy

CASES_DIR = Path(__file__).parent / "data" / "shapes"
SH = Namespace("http://www.w3.org/ns/shacl#")
EXPECT = re.compile(r"^# expect: (\S+) sh:(Violation|Warning)\s*$")
CASES = sorted(CASES_DIR.glob("*/*.ttl"))


@dataclass(frozen=True)
class Result:
    shape: str  # local name of sh:sourceShape
    constraint: str  # local name of sh:sourceConstraint ("" when none)
    severity: str  # "Violation" | "Warning" | "Info"


def _local(node: object) -> str:
    text = str(node) if node is not None else ""
    return text[len(str(PTCESH)) :] if text.startswith(str(PTCESH)) else ""


@cache
def shapes() -> Graph:
    g = Graph()
    for path in sorted((PROJECT_ROOT / "shapes").glob("*.ttl")):
        g.parse(path, format="turtle")
    return g


@cache
def background() -> Graph:
    """Ontology + alignments + vocabularies + the hierarchy closure."""
    g = Graph()
    onto = PROJECT_ROOT / "ontology"
    for path in [
        onto / "ptce.ttl",
        onto / "alignments.ttl",
        *sorted(onto.glob("vocabularies/*.ttl")),
    ]:
        g.parse(path, format="turtle")
    g += closure_graph(load_hierarchy(g))
    return g


def owned_by(shape: str) -> set[str]:
    """Local names of the node shape ``shape``, its property shapes and its SPARQL constraints."""
    s = shapes()
    node = PTCESH[shape]
    parts = set(s.objects(node, SH.property)) | set(s.objects(node, SH.sparql))
    return {shape} | {_local(p) for p in parts}


def validate_case(path: Path) -> list[Result]:
    data = Graph()
    data += background()
    data.parse(path, format="turtle")
    _, report, _ = pyshacl.validate(
        data, shacl_graph=shapes(), inference="none", advanced=True, allow_warnings=False
    )
    results = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        severity = report.value(r, SH.resultSeverity)
        results.append(
            Result(
                _local(report.value(r, SH.sourceShape)),
                _local(report.value(r, SH.sourceConstraint)),
                str(severity).rsplit("#", 1)[-1],
            )
        )
    return results


def expectation(path: Path) -> tuple[str, str]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    m = EXPECT.match(first)
    assert m, f"{path}: an invalid case starts with '# expect: <name> <sh:Violation|sh:Warning>'"
    return m.group(1), m.group(2)


def case_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name.removesuffix('.ttl')}"


@pytest.mark.parametrize("path", [p for p in CASES if p.name.endswith(".valid.ttl")], ids=case_id)
def test_valid_case(path: Path) -> None:
    results = validate_case(path)
    own = owned_by(path.parent.name)
    violations = [r for r in results if r.severity == "Violation"]
    mine = [r for r in results if r.shape in own or r.constraint in own]
    assert violations == [] and mine == [], results


@pytest.mark.parametrize("path", [p for p in CASES if p.name.endswith(".invalid.ttl")], ids=case_id)
def test_invalid_case(path: Path) -> None:
    name, severity = expectation(path)
    assert name in owned_by(path.parent.name), f"{name} is not part of {path.parent.name}"
    results = validate_case(path)
    hits = [r for r in results if name in (r.shape, r.constraint)]
    assert hits, results
    assert {r.severity for r in hits} == {severity}, hits


def test_every_node_shape_has_valid_and_invalid_cases() -> None:
    node_shapes = {_local(s) for s in shapes().subjects(RDF.type, SH.NodeShape)}
    dirs = {p.name for p in CASES_DIR.iterdir() if p.is_dir()}
    assert dirs == node_shapes
    for shape in node_shapes:
        stems = [p.name for p in (CASES_DIR / shape).glob("*.ttl")]
        assert any(s.endswith(".valid.ttl") for s in stems), shape
        assert any(s.endswith(".invalid.ttl") for s in stems), shape


def test_case_iris_are_synthetic() -> None:
    for path in CASES:
        data = Graph().parse(path, format="turtle")
        for s in set(data.subjects()):
            if isinstance(s, URIRef) and str(s).startswith("https://w3id.org/ptce/id/"):
                assert "/synthetic-" in str(s), s
